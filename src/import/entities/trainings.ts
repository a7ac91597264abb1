/**
 * trainings.csv: key id (TRN-000001); a row without one is a new training and gets the next key. The
 * rules of `trainings add` and `edit` (src/trainings/rules.ts: dates, travel, price, what each step
 * requires), references (account, a subscription of it, manager, expert) and the status as given
 * (history); an import does not take steps, so it writes no step history and creates no package training.
 * A large file is bulk-loaded (src/import/entities/lookups.ts): 48,000 trainings on PostgreSQL 11.6 s → 2.3 s.
 */
import { sql } from '#kysely';
import { clearedFields, missingFields } from '../../lib/checks.js';
import { withDefaults } from '../../lib/fields.js';
import { TRAINING_FIELDS } from '../../trainings/fields.js';
import { stateColumns, stateOfRow } from '../../trainings/record.js';
import { becomesPackage, judge, NEW_TRAINING, TRAINING_KEY } from '../../trainings/rules.js';
import { invoiceName } from '../../invoices/record.js';
import type { TrainingRow } from '../../db/schema/trainings.js';
import { FORMATS } from '../../formats/catalog.js';
import type { RowProblem } from '../errors.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { toIsoDate } from '../cells.js';
import { bulkWhenLarge, coerceRow, subscriptionOfAccount, upserting } from './common.js';
import { accountLookups, byExternalId, firstFreeNumber, managersByLogin, rowsByNumber } from './lookups.js';
import { findNumbered, isRowResult } from './numbered.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

/** A trainings row is ≈ 100–400 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

const COLUMNS = [
  'number',
  'account_id',
  'subscription_id',
  'topic',
  'participants',
  'manager_id',
  'expert_id',
  'notes',
  ...Object.keys(stateColumns(NEW_TRAINING)),
];

export const trainings: EntityDef = {
  name: 'trainings',
  columns: async () => [...TRAINING_FIELDS],
  required: FORMATS.trainings.required,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { up } = upserting(ctx, 'trainings', COLUMNS);
    // a large file: new trainings queued (PostgreSQL's COPY, SQLite's multi-row INSERTs), the unique number
    // checked in memory, the accounts and subscriptions read whole where they are not much larger than the file
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['number']);
    const byNumber = rowsByNumber(ctx, up, 'trainings');
    const { byKey: account } = await accountLookups(ctx, whole, ['id', 'external_id', 'manager_id']);
    const subscription = await byExternalId(ctx, whole, 'subscriptions', ['id', 'account_id']);
    const manager = managersByLogin(ctx);
    let next = await firstFreeNumber(ctx, 'trainings');
    // a delivered training's dates stay on or before its delivered step's day, as on `trainings edit`
    const deliveredStep = ctx.statements.getter(
      ctx.statements.db
        .selectFrom('training_steps')
        .select('on_date')
        .where('training_id', '=', 0)
        // a constant inlined: the prepared statement takes only the training's id
        .where('status', '=', sql.lit('delivered'))
        .orderBy('id', 'desc'),
    );
    // a training an invoice bills does not become a package training, as on `trainings edit`
    const billing = ctx.statements.getter(
      ctx.statements.db
        .selectFrom('invoices')
        .select(['number', 'instalment'])
        .where('training_id', '=', 0)
        .where('status', '!=', sql.lit('void'))
        .orderBy('id'),
    );

    function* login(field: string, login: unknown, text: RowIn['text'], rec: Row, column: string, problems: RowProblem[]): Step<void> {
      if (login === null) rec[column] = null;
      if (typeof login !== 'string') return;
      const m = yield* wait(manager(login));
      if (m) rec[column] = m.id;
      else problems.push({ field, value: text[field], rule: 'no manager with this login' });
    }

    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values, problems } = coerceRow(TRAINING_FIELDS, text, ctx.dateFormat);
      // the dates are a list, each one a date in the sheet's format (--date-format) as any date cell is
      if (Array.isArray(values.dates)) values.dates = values.dates.map((d) => toIsoDate(String(d), ctx.dateFormat));
      const found = yield* findNumbered(up, byNumber, TRAINING_KEY, text.id, line);
      if (isRowResult(found)) return found;
      const { number, existing } = found;
      problems.push(...(existing ? clearedFields(TRAINING_FIELDS, values) : missingFields(TRAINING_FIELDS, values, problems)));
      const v = existing ? values : withDefaults(TRAINING_FIELDS, values);
      const rec: Row = {};
      for (const f of ['topic', 'participants', 'notes'] as const) if (f in v) rec[f] = v[f];
      const acc = typeof v.account_external_id === 'string' ? yield* wait(account(v.account_external_id)) : undefined;
      if (!acc && v.account_external_id)
        problems.push({ field: 'account_external_id', value: text.account_external_id, rule: 'no account with this external_id' });
      else if (acc && existing && acc.id !== existing.account_id)
        problems.push({ field: 'account_external_id', value: text.account_external_id, rule: 'a training cannot move to another account' });
      if (acc) rec.account_id = acc.id;
      const accountId = (acc?.id ?? existing?.account_id) as number | undefined;
      if (typeof v.subscription_external_id === 'string') {
        const owner = accountId === undefined ? undefined : { id: accountId };
        const subId = yield* subscriptionOfAccount(subscription, v.subscription_external_id, text, owner, problems);
        if (subId !== undefined) rec.subscription_id = subId;
      }
      yield* login('manager_login', v.manager_login, text, rec, 'manager_id', problems);
      yield* login('expert_login', v.expert_login, text, rec, 'expert_id', problems);
      const base = { ...(existing ? stateOfRow(existing as unknown as TrainingRow) : NEW_TRAINING), as_of: ctx.op.asOf };
      if (existing?.status === 'delivered' && v.dates !== undefined)
        base.delivered_on = ((yield* wait(deliveredStep(existing.id))) as { on_date: string } | undefined)?.on_date ?? null;
      if (existing && becomesPackage(base, v)) {
        const invoice = (yield* wait(billing(existing.id))) as { number: string | null; instalment: number | null } | undefined;
        base.billed_by = invoice ? invoiceName({ ...invoice, subscription_external_id: null }) : null;
      }
      const judged = judge(base, v);
      problems.push(...judged.problems.filter((p) => !problems.some((q) => q.field === p.field)));
      if (problems.length > 0) return problems;
      Object.assign(rec, stateColumns(judged.state));
      if (!existing) {
        rec.number = number ?? next;
        next = Math.max(next, (rec.number as number) + 1);
        if (!('manager_id' in rec)) rec.manager_id = acc!.manager_id;
      }
      // a new training of a bulk load is queued (nothing in the file needs its id)
      if (!existing && up.bulkMode) return yield* up.queue(line, rec);
      return (yield* up.write(line, existing, rec)).outcome;
    }
    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        ctx.notes?.push(...(await up.finish()));
        return [];
      },
    };
  },
};
