/**
 * invoices.csv, for migrating billing history: key `number` (PREFIX-YYYY-NNNNN); a row without one is a
 * planned invoice, matched to a stored one without a number by subscription and instalment (an empty
 * instalment matches the one without: a term billed at once). A row is the whole invoice
 * (empty cells are empty). The rules of the commands, row by row: the account and the subscription
 * (one of the account's) or the training (TRN-000001, one of the account's; never one that came with a package,
 * and never one another invoice that is not void bills already), what each status needs (planned: planned_on and no number; issued: number,
 * issued_on, due_on; paid: and paid_on; void: a reason), the number's year is issued_on's, and no two
 * invoices share a place in a year. The lines add up to the amount; without lines the invoice has one,
 * named by its period. Imported numbers may leave gaps (history is taken as it was); new ones follow
 * the largest of their year. A large file on PostgreSQL is bulk-loaded, every lookup answered in memory
 * (src/import/entities/invoice-index.ts): 48,000 invoices 24.5 s → 2.1 s.
 */
import { sql } from '#kysely';
import { missingFields } from '../../lib/checks.js';
import { foldKey } from '../../lib/keys.js';
import { INVOICE_FIELDS } from '../../invoices/fields.js';
import { invoiceName } from '../../invoices/record.js';
import { alreadyBilled } from '../../invoices/service.js';
import { trainingNeverBilled } from '../../invoices/training.js';
import { AMOUNT_RULE, safeCents } from '../../lib/fields.js';
import { NUMBER_RULE, parseInvoiceNumber, parseLines, type StoredLine } from '../../invoices/rules.js';
import { FORMATS } from '../../formats/catalog.js';
import { checkCurrency } from '../../plans/checks.js';
import type { FieldValue } from '../../lib/fields.js';
import type { RowProblem } from '../errors.js';
import { TRAINING_KEY, trainingKey } from '../../trainings/rules.js';
import { run, wait, type Maybe, type Row, type Step } from '../statements.js';
import { bulkWhenLarge, coerceRow, subscriptionOfAccount, upserting } from './common.js';
import { InvoiceIndex, type Billed } from './invoice-index.js';
import { accountLookups, byExternalId } from './lookups.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

/** An invoices row is ≈ 80–400 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

/** Whether two lookups found the same invoice (one queued by a bulk load has no id yet: it is only itself). */
const sameInvoice = (a: Row, b: Row | undefined) => a === b || (a.id !== undefined && a.id === b?.id);

/** Rows by the value of one column (the first row of each value). */
function byColumn(rows: readonly Row[], column: string): (value: unknown) => Row | undefined {
  const map = new Map<unknown, Row>();
  for (const r of rows) if (!map.has(r[column])) map.set(r[column], r);
  return (value) => map.get(value);
}

const COLUMNS = [
  'number',
  'number_key',
  'year',
  'seq',
  'account_id',
  'subscription_id',
  'training_id',
  'instalment',
  'instalments',
  'period',
  'lines_json',
  'amount_cents',
  'currency',
  'planned_on',
  'issued_on',
  'due_on',
  'paid_on',
  'status',
  'void_reason',
];

/** What each status needs (and may not have), as problems of the row. */
function statusProblems(v: Record<string, FieldValue>, text: RowIn['text']): RowProblem[] {
  const out: RowProblem[] = [];
  const need = (f: string, why: string) => v[f] === undefined && out.push({ field: f, value: '', rule: `is required ${why}` });
  const none = (f: string, why: string) => v[f] !== undefined && out.push({ field: f, value: text[f], rule: `must be empty ${why}` });
  const status = v.status as string;
  const numbered = status !== 'planned' && !(status === 'void' && v.number === undefined);
  if (status === 'planned') {
    none('number', 'while planned (a number is given when it is issued)');
    need('planned_on', 'for a planned invoice');
  }
  if (numbered) {
    need('number', `for an invoice ${status}`);
    need('issued_on', `for an invoice ${status}`);
    if (status !== 'void') need('due_on', `for an invoice ${status}`);
  }
  if (status === 'paid') need('paid_on', 'for a paid invoice');
  else none('paid_on', `for an invoice ${status}`);
  if (status === 'void') need('void_reason', 'for a void invoice');
  else none('void_reason', `for an invoice ${status}`);
  if (!numbered) none('issued_on', `for an invoice ${status} without a number`);
  const issued = v.issued_on as string | undefined;
  if (issued !== undefined && typeof v.due_on === 'string' && v.due_on < issued)
    out.push({ field: 'due_on', value: text.due_on, rule: `must not be before issued_on ${issued}` });
  if (issued !== undefined && typeof v.paid_on === 'string' && v.paid_on < issued)
    out.push({ field: 'paid_on', value: text.paid_on, rule: `must not be before issued_on ${issued}` });
  if ((v.instalment === undefined) !== (v.instalments === undefined))
    out.push({ field: 'instalment', value: text.instalment ?? '', rule: 'instalment and instalments go together' });
  else if (typeof v.instalment === 'number' && v.instalment > (v.instalments as number))
    out.push({ field: 'instalment', value: text.instalment, rule: `must not be more than instalments (${String(v.instalments)})` });
  if (v.subscription_external_id !== undefined && v.training_id !== undefined)
    out.push({ field: 'training_id', value: text.training_id, rule: 'an invoice bills a subscription or a training, not both' });
  return out;
}

/**
 * A row's training_id (TRN-000001): the training when it exists, is one of the row's account and may be
 * billed (trainingNeverBilled), else a problem of the row.
 */
function* trainingOfAccount(
  find: (n: number) => Maybe<Row | undefined>,
  key: string,
  text: RowIn['text'],
  account: Row | undefined,
  problems: RowProblem[],
): Step<Row | undefined> {
  const n = TRAINING_KEY.number(key);
  if (n === undefined) {
    problems.push(TRAINING_KEY.problem('training_id', text.training_id ?? key)!);
    return undefined;
  }
  const found = yield* wait(find(n));
  const refuse = (rule: string) => problems.push({ field: 'training_id', value: text.training_id, rule });
  if (!found) refuse('no training with this key');
  else if (account && found.account_id !== account.id) refuse(`is not a training of account ${String(account.external_id)}`);
  else {
    const never = trainingNeverBilled(found as Parameters<typeof trainingNeverBilled>[0]);
    if (never === undefined) return found;
    refuse(never);
  }
  return undefined;
}

export const invoices: EntityDef = {
  name: 'invoices',
  columns: async () => [...INVOICE_FIELDS],
  required: FORMATS.invoices.required,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements, db, up } = upserting(ctx, 'invoices', COLUMNS);
    // a large file on PostgreSQL: new invoices through COPY, the stored invoices and the accounts, subscriptions
    // and trainings read whole where they are not much larger than the file, every lookup answered in memory
    // (on SQLite row by row is as fast: 48,000 new invoices 1.3 s against 1.8 s bulk-loaded, again 1.4 s against 2.8 s)
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['number_key'], true);
    const index = up.bulkMode ? await InvoiceIndex.read(statements) : undefined;
    const byNumber = index
      ? (key: string) => index.number(key)
      : statements.getter(db.selectFrom('invoices').selectAll().where('number_key', '=', ''));
    const byPlace = index
      ? (year: number, seq: number) => index.at(year, seq)
      : statements.getter(db.selectFrom('invoices').select(['id', 'number']).where('year', '=', 0).where('seq', '=', 0));
    // a planned invoice's key is what it bills (its subscription, or its training) and its instalment, an empty
    // instalment included (the one invoice of a term billed at once): `instalment = NULL` matches nothing in
    // SQL, so that one has a query of its own
    const unnumbered = (column: 'subscription_id' | 'training_id') => {
      const some = statements.getter(
        db.selectFrom('invoices').selectAll().where(column, '=', 0).where('instalment', '=', 0).where('number', 'is', null),
      );
      const whole = statements.getter(
        db.selectFrom('invoices').selectAll().where(column, '=', 0).where('instalment', 'is', null).where('number', 'is', null),
      );
      return (id: number, instalment: number | null) => (instalment === null ? whole(id) : some(id, instalment));
    };
    const [plannedOfSubscription, plannedOfTraining] = [unnumbered('subscription_id'), unnumbered('training_id')];
    const planned = (billed: Billed, instalment: number | null) =>
      index ? index.planned(billed, instalment) : (billed.subscription ? plannedOfSubscription : plannedOfTraining)(billed.id, instalment);
    const { byKey: account } = await accountLookups(ctx, whole, ['id', 'external_id']);
    const subscription = await byExternalId(ctx, whole, 'subscriptions', ['id', 'account_id']);
    const trainings = db
      .selectFrom('trainings as t')
      .leftJoin('subscriptions as s', 's.id', 't.subscription_id')
      .select(['t.id', 't.account_id', 't.number', 't.source', 's.external_id as subscription_external_id']);
    const training = whole('trainings')
      ? byColumn(await statements.all(trainings)(), 'number')
      : statements.getter(trainings.where('t.number', '=', 0));
    // another invoice, not void, that bills the training (what an invoice bills is billed once)
    const billingQuery = statements.getter(
      db
        .selectFrom('invoices')
        .select(['number', 'instalment'])
        .where('training_id', '=', 0)
        .where('status', '!=', sql.lit('void'))
        .where('id', '!=', 0),
    );
    const billing = (trainingId: number, existing: Row | undefined) =>
      index ? index.billing(trainingId, existing) : billingQuery(trainingId, existing?.id ?? 0);
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(INVOICE_FIELDS, text, ctx.dateFormat);
      problems.push(...missingFields(INVOICE_FIELDS, v, problems));
      checkCurrency(v, problems); // the rule of plans and trainings
      let place: { year: number; seq: number } | undefined;
      if (typeof v.number === 'string') {
        place = parseInvoiceNumber(v.number);
        if (!place) return [{ field: 'number', value: text.number, rule: NUMBER_RULE }];
      }
      if (typeof v.status === 'string') problems.push(...statusProblems(v, text));
      if (place && typeof v.issued_on === 'string' && Number(v.issued_on.slice(0, 4)) !== place.year)
        problems.push({ field: 'number', value: text.number, rule: `its year must be the year of issued_on (${v.issued_on})` });
      const cents = v.amount === undefined ? undefined : safeCents(v.amount);
      if (v.amount !== undefined && cents === undefined) problems.push({ field: 'amount', value: text.amount, rule: AMOUNT_RULE });
      let lines: StoredLine[] | undefined;
      if (cents !== undefined && typeof v.lines === 'string') {
        const parsed = parseLines(v.lines, cents);
        if ('problem' in parsed) problems.push(parsed.problem);
        else lines = parsed.lines;
      } else if (cents !== undefined) {
        const description = typeof v.period === 'string' ? `Period ${v.period}` : 'Invoice';
        lines = [{ description, quantity: 1, unit_price_cents: cents, amount_cents: cents }];
      }
      const acc = typeof v.account_external_id === 'string' ? yield* wait(account(v.account_external_id)) : undefined;
      if (!acc && v.account_external_id !== undefined)
        problems.push({ field: 'account_external_id', value: text.account_external_id, rule: 'no account with this external_id' });
      let subId: number | null = null;
      if (typeof v.subscription_external_id === 'string')
        subId = (yield* subscriptionOfAccount(subscription, v.subscription_external_id, text, acc, problems)) ?? null;
      const billed = typeof v.training_id === 'string' ? yield* trainingOfAccount(training, v.training_id, text, acc, problems) : undefined;
      const trainingId = billed ? (billed.id as number) : null;
      let existing: Row | undefined;
      if (typeof v.number === 'string') existing = yield* wait(byNumber(foldKey(v.number)));
      else {
        const what: Billed | undefined =
          subId !== null ? { subscription: true, id: subId } : trainingId !== null ? { subscription: false, id: trainingId } : undefined;
        if (what && typeof v.instalment === 'number') existing = yield* wait(planned(what, v.instalment));
        else if (what && !text.instalment) existing = yield* wait(planned(what, null));
      }
      if (billed && v.status !== 'void') {
        const other = yield* wait(billing(billed.id as number, existing));
        if (other) {
          const by = invoiceName({
            number: other.number as string | null,
            // another training's invoice: named by the training and instalment, as a planned one of a subscription is
            subscription_external_id: trainingKey(billed.number as number),
            instalment: other.instalment as number | null,
          });
          problems.push({
            field: 'training_id',
            value: text.training_id,
            rule: alreadyBilled('training', trainingKey(billed.number as number), by),
          });
        }
      }
      const pre = up.precheck(existing, { field: 'number', value: text.number ?? '', what: 'same invoice' }, index?.lineOf(existing));
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      if (place) {
        const other = yield* wait(byPlace(place.year, place.seq));
        if (other && !sameInvoice(other, existing))
          problems.push({
            field: 'number',
            value: text.number,
            rule: `takes the place of invoice ${String(other.number)} in ${place.year}`,
          });
      }
      if (problems.length > 0) return problems;
      const opt = <T>(x: FieldValue | undefined) => (x === undefined ? null : (x as T));
      const rec: Row = {
        number: opt<string>(v.number),
        number_key: typeof v.number === 'string' ? foldKey(v.number) : null,
        year: place?.year ?? null,
        seq: place?.seq ?? null,
        account_id: acc!.id,
        subscription_id: subId,
        training_id: trainingId,
        instalment: opt<number>(v.instalment),
        instalments: opt<number>(v.instalments),
        period: opt<string>(v.period),
        lines_json: JSON.stringify(lines),
        amount_cents: cents!,
        currency: (v.currency as string).toUpperCase(),
        planned_on: opt<string>(v.planned_on),
        issued_on: opt<string>(v.issued_on),
        due_on: opt<string>(v.due_on),
        paid_on: opt<string>(v.paid_on),
        status: v.status,
        void_reason: opt<string>(v.void_reason),
      };
      if (!index) return (yield* up.write(line, existing, rec)).outcome;
      // a new invoice of a bulk load is queued: the index answers for it until the end
      if (!existing) {
        index.written(line, rec, undefined);
        return yield* up.queue(line, rec);
      }
      const { outcome, id } = yield* up.write(line, existing, rec);
      index.written(line, { ...existing, ...rec, id }, existing);
      return outcome;
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
