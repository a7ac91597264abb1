/**
 * subscriptions.csv: key external_id. Records of existing contracts: a given end_date or price is taken
 * as given (end_date ≥ start_date); an empty one is computed as `subscriptions add` does. The legacy-plan
 * and tier rules of add/renew/upgrade do not apply, so running subscriptions of retired plans import.
 * renewed_from_external_id may name a subscription later in the file.
 *
 * A large file is bulk-loaded (`bulkWhenLarge`: the key in memory, new rows through COPY on PostgreSQL and
 * multi-row INSERTs on SQLite, the accounts read whole where they are not much larger than the file); the
 * renewals named later in the file are set after the rows, as accounts' parents are.
 */
import { tutorProblem } from '../../accounts/rules.js';
import { missingFields } from '../../lib/checks.js';
import { withDefaults } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { planProductProblem } from '../../plans/checks.js';
import { pickPrice } from '../../plans/pricing.js';
import { SUBSCRIPTION_FIELDS } from '../../subscriptions/fields.js';
import { endDateFor } from '../../subscriptions/terms.js';
import { FORMATS } from '../../formats/catalog.js';
import type { RowProblem } from '../errors.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { bulkWhenLarge, cached, checked, coerceRow, keyedRows, remembered, requireKeys, stored, Upserter } from './common.js';
import { SelfReferences } from './chains.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

/** A subscriptions row is ≈ 90 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

const COLUMNS = [
  'external_id',
  'external_id_key',
  'account_id',
  'product_id',
  'plan_id',
  'students',
  'term_months',
  'start_date',
  'end_date',
  'status',
  'manager_id',
  'price_cents',
  'paid_at',
  'renewed_from_id',
];

export const subscriptions: EntityDef = {
  name: 'subscriptions',
  columns: async () => [...SUBSCRIPTION_FIELDS],
  required: FORMATS.subscriptions.required,
  checksAtEnd: true,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'subscriptions', COLUMNS);
    const byKey = statements.getter(statements.db.selectFrom('subscriptions').selectAll().where('external_id_key', '=', ''));
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['external_id_key']);
    /** The stored subscription with this key (folded): in memory while bulk-loading, else a query. */
    const findSubscription = up.bulkMode ? (key: string) => up.findByKey([key]) : byKey;
    const account = cached(
      whole('accounts')
        ? await keyedRows(statements, 'accounts', ['id', 'type', 'manager_id'], 'external_id_key')
        : statements.getter(statements.db.selectFrom('accounts').select(['id', 'type', 'manager_id']).where('external_id_key', '=', '')),
    );
    const plan = cached(
      statements.getter(statements.db.selectFrom('plans').select(['id', 'code', 'product_id']).where('code_key', '=', '')),
    );
    const product = cached(statements.getter(statements.db.selectFrom('products').select(['id', 'code']).where('code_key', '=', '')));
    const productCode = remembered(statements.getter(statements.db.selectFrom('products').select(['code']).where('id', '=', 0)));
    // a file names a few managers and plans many times: each looked up once (a round trip each on PostgreSQL)
    const manager = cached(statements.getter(statements.db.selectFrom('managers').select(['id']).where('login', '=', '')));
    const pricesOf = remembered(
      statements.all(
        statements.db.selectFrom('plan_prices').select(['max_students', 'term_months', 'amount_cents']).where('plan_id', '=', 0),
      ),
    );
    const renewals = new SelfReferences(ctx, up.touched, {
      table: 'subscriptions',
      column: 'renewed_from_external_id',
      stored: 'renewed_from_id',
      unresolved: 'no subscription with this external_id (in the database or this file)',
      cycle: 'would make a renewal loop',
      byKey,
      linkOf: statements.getter(
        statements.db.selectFrom('subscriptions').select(['external_id', 'renewed_from_id as parent_id']).where('id', '=', 0),
      ),
    });

    /** References → ids in rec; problems for the ones that do not resolve. */
    function* resolve(
      v: Record<string, unknown>,
      text: RowIn['text'],
      rec: Row,
      existing: Row | undefined,
      problems: RowProblem[],
    ): Step<Row | undefined> {
      let acc: Row | undefined;
      if (v.account_external_id !== undefined) {
        acc = yield* wait(account(v.account_external_id as string));
        if (acc) rec.account_id = acc.id;
        else
          problems.push({
            field: 'account_external_id',
            value: text.account_external_id!,
            rule: 'no account with this external_id (in the database or the accounts imported with it)',
          });
      }
      let pl: Row | undefined;
      if (v.plan !== undefined) {
        pl = yield* wait(plan(v.plan as string));
        if (pl) {
          rec.plan_id = pl.id;
          rec.product_id = pl.product_id;
        } else
          problems.push({
            field: 'plan',
            value: text.plan!,
            rule: 'no plan with this code (in the database or the plans imported with it)',
          });
      }
      if (v.product !== undefined) {
        const pr = yield* wait(product(v.product as string));
        const planProduct = (pl?.product_id ?? existing?.product_id) as number | undefined;
        if (!pr) problems.push({ field: 'product', value: text.product!, rule: 'no product with this code' });
        else if (planProduct !== undefined) {
          const code = String((yield* wait(productCode(planProduct)))?.code);
          const mismatch = planProductProblem(text.product!, pr as { id: number }, { id: planProduct, code });
          if (mismatch) problems.push(mismatch);
        }
      }
      if (v.manager_login !== undefined) {
        const m = yield* wait(manager(v.manager_login as string));
        if (m) rec.manager_id = m.id;
        else problems.push({ field: 'manager_login', value: text.manager_login!, rule: 'no manager with this login' });
      }
      const tutor = tutorProblem(
        acc?.type as string | undefined,
        'manager_login',
        rec.manager_id === undefined ? undefined : text.manager_login,
      );
      if (tutor) problems.push(tutor);
      if (!existing && acc && rec.manager_id === undefined) rec.manager_id = acc.type === 'tutor' ? null : acc.manager_id;
      return pl;
    }

    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(SUBSCRIPTION_FIELDS, text, ctx.dateFormat);
      problems.unshift(...requireKeys(text, FORMATS.subscriptions.rowKey));
      if (problems.length > 0) return problems;
      const extId = v.external_id as string;
      const key = foldKey(extId);
      const existing = yield* wait(findSubscription(key));
      const pre = up.precheck(existing, { field: 'external_id', value: extId, what: 'same external_id' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      if (!existing) problems.push(...missingFields(SUBSCRIPTION_FIELDS, v));
      const given = existing ? v : withDefaults(SUBSCRIPTION_FIELDS, v);
      const rec: Row = {};
      for (const f of SUBSCRIPTION_FIELDS) if (COLUMNS.includes(f.name)) rec[f.name] = stored(f, given[f.name]);
      if (v.price !== undefined)
        rec.price_cents = stored(
          SUBSCRIPTION_FIELDS.find((f) => f.name === 'price')!,
          v.price,
        );
      const pl = yield* resolve(v, text, rec, existing, problems);
      if (problems.length > 0) return problems;
      const start = (rec.start_date ?? existing?.start_date) as string;
      const term = (rec.term_months ?? existing?.term_months) as number;
      if (!existing) {
        rec.external_id = extId;
        rec.external_id_key = key;
        const end = rec.end_date ?? checked(() => endDateFor(start, term));
        if (Array.isArray(end)) return end;
        rec.end_date = end;
        if (rec.price_cents === undefined) {
          const rows = yield* wait(pricesOf(pl!.id as number));
          try {
            rec.price_cents = pickPrice(pl!.code as string, rows as never, rec.students as number, term);
          } catch (e) {
            return [{ field: 'price', value: '', rule: `cannot be computed: ${(e as Error).message} (give the price)` }];
          }
        }
      } else delete rec.external_id;
      const end = (rec.end_date ?? existing?.end_date) as string;
      if (end < start) return [{ field: 'end_date', value: end, rule: `is before start_date ${start}` }];
      const fromText = v.renewed_from_external_id as string | undefined;
      let fromPending = false;
      if (fromText !== undefined) {
        if (foldKey(fromText) === key) return [{ field: 'renewed_from_external_id', value: fromText, rule: 'is the subscription itself' }];
        const from = yield* wait(findSubscription(foldKey(fromText)));
        if (from) rec.renewed_from_id = from.id;
        else fromPending = true;
      }
      // a new subscription of a bulk load that renews none is queued (nothing needs its id now)
      if (!existing && fromText === undefined && up.bulkMode) return yield* up.queue(line, rec);
      const { outcome, id } = yield* up.write(line, existing, rec, fromPending);
      if (fromText !== undefined) renewals.note(id, line, outcome, fromText, foldKey(fromText), fromPending, existing);
      return outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        // the rows in, the indexes back; then the renewals named later in the file
        ctx.notes?.push(...(await up.finish()));
        return renewals.finish();
      },
      refusedWithout: (excluded) => renewals.refusedWithout(excluded),
    };
  },
};
