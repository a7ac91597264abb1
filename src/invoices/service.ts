/**
 * Invoices: issue (a subscription's price for its term, or its instalments; a training's: training.ts), issue the planned ones
 * whose day has come, mark paid, void, list, show. Plain functions over Kysely; the caller owns the
 * transaction (numbers are only gap-free inside a write transaction: src/db/tx.ts). Every change is
 * audited. What paying does to the subscription is src/composites/billing.ts's.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import { managedBy } from '../db/refs.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import type { NewInvoiceRow } from '../db/schema/invoices.js';
import type { SubscriptionRow } from '../db/schema/subscriptions.js';
import { ConflictError, RefusedError, invalid } from '../errors.js';
import { checkDateRange, checkFilter, checkOne, refuseAfterToday } from '../lib/checks.js';
import { addDays, addMonths, deriveDate } from '../lib/dates.js';
import { getManager } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { getSetting } from '../settings/service.js';
import { getSubscription } from '../subscriptions/lookup.js';
import { cancelledSubscription, refuseCancelled } from '../subscriptions/status.js';
import { DISPLAYED_INVOICE_STATUSES } from './fields.js';
import { nextInvoiceNumber } from './numbering.js';
import { getInvoice, invoiceName, invoicesQuery, loadInvoice, toInvoiceRecord, type InvoiceRecord, type JoinedInvoice } from './record.js';
import { schoolYear, splitInTwo, type StoredLine } from './rules.js';
import { endDateFor } from '../subscriptions/terms.js';
import { getTraining } from '../trainings/service.js';

export type { InvoiceRecord } from './record.js';

export interface IssueOptions {
  /** issued_on (default: the as-of date) */
  on?: string;
  /** due_on = issued_on + dueDays (default: the setting invoice-due-days) */
  dueDays?: number;
}

const NOT_BILLED = ': a cancelled subscription is not billed';

const DUE_DAYS = { name: 'due_days', type: 'int', min: 0, max: 365 } as const;

export async function dueDaysOf(db: Kysely<DB>, given: number | undefined): Promise<number> {
  if (given !== undefined) return checkOne(DUE_DAYS, given) as number;
  return Number(await getSetting(db, 'invoice-due-days'));
}

/** What the subscription's invoice lines say: product, plan, students and the days billed. */
async function describe(db: Kysely<DB>, sub: SubscriptionRow, from: string, to: string, part?: [number, number]): Promise<string> {
  const names = await db
    .selectFrom('plans as pl')
    .innerJoin('products as p', 'p.id', 'pl.product_id')
    .select(['p.name as product', 'pl.name as plan', 'pl.currency'])
    .where('pl.id', '=', sub.plan_id)
    .executeTakeFirstOrThrow();
  const instalment = part ? `, instalment ${part[0]} of ${part[1]}` : '';
  return `${names.product} – ${names.plan}, ${sub.students} students, ${from} – ${to} (${sub.external_id}${instalment})`;
}

async function currencyOf(db: Kysely<DB>, sub: SubscriptionRow): Promise<string> {
  return (await db.selectFrom('plans').select('currency').where('id', '=', sub.plan_id).executeTakeFirstOrThrow()).currency;
}

export function oneLine(description: string, cents: number): string {
  const line: StoredLine = { description, quantity: 1, unit_price_cents: cents, amount_cents: cents };
  return JSON.stringify([line]);
}

/**
 * What an invoice bills (a subscription or a training) is billed once: refused while it has an invoice
 * that is not void.
 */
export async function refuseBilled(db: Kysely<DB>, what: 'subscription' | 'training', id: number, key: string): Promise<void> {
  const column = what === 'subscription' ? 'i.subscription_id' : 'i.training_id';
  const billed = await invoicesQuery(db).where(column, '=', id).where('i.status', '!=', 'void').executeTakeFirst();
  if (billed) throw new ConflictError(alreadyBilled(what, key, invoiceName(billed)), BILLED_HINT);
}

/** The refusal of a second invoice for what `invoice` bills (here and in the invoices importer). */
export function alreadyBilled(what: 'subscription' | 'training', key: string, invoice: string): string {
  return `${what} ${key} is already billed by invoice ${invoice}`;
}

const BILLED_HINT = 'void that invoice first to bill it again (acctmgr invoices void NUMBER --reason TEXT)';

export async function insertInvoice(
  db: Kysely<DB>,
  op: Op,
  values: Omit<NewInvoiceRow, 'created_at' | 'updated_at'>,
): Promise<InvoiceRecord> {
  const { id } = await db
    .insertInto('invoices')
    .values({ ...values, created_at: op.now, updated_at: op.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const record = toInvoiceRecord(await loadInvoice(db, id), op.asOf);
  await audit(db, op, {
    action: values.status === 'planned' ? 'plan' : 'issue',
    entity: 'invoice',
    key: invoiceName(record),
    after: record,
  });
  return record;
}

/** `invoices issue --subscription S`: the subscription's price for its term, issued now (or --on). */
export async function issueForSubscription(db: Kysely<DB>, op: Op, key: string, o: IssueOptions = {}): Promise<InvoiceRecord> {
  const sub = await getSubscription(db, key);
  refuseCancelled(sub, NOT_BILLED);
  await refuseBilled(db, 'subscription', sub.id, sub.external_id);
  const due = await dueDaysOf(db, o.dueDays);
  const n = await nextInvoiceNumber(db, op, o.on ?? op.asOf);
  return insertInvoice(db, op, {
    ...n,
    account_id: sub.account_id,
    subscription_id: sub.id,
    period: schoolYear(sub.start_date),
    lines_json: oneLine(await describe(db, sub, sub.start_date, sub.end_date), sub.price_cents),
    amount_cents: sub.price_cents,
    currency: await currencyOf(db, sub),
    due_on: deriveDate('due_days', due, 'the due date', () => addDays(n.issued_on, due)),
    status: 'issued',
  });
}

/**
 * `subscriptions add --instalments 2` (24-month terms only): half the price (the odd cent on the
 * first) for each year of the term; the first issued now, the second planned for the first day of the
 * second year. Each names the school year its year starts in.
 */
export async function billInInstalments(db: Kysely<DB>, op: Op, key: string, instalments: number): Promise<InvoiceRecord[]> {
  const sub = await getSubscription(db, key);
  if (instalments !== 2) throw invalid('instalments', instalments, 'must be 2 (one invoice per year of a 24-month term)');
  if (sub.term_months !== 24)
    throw invalid('instalments', instalments, `is only for 24-month terms (this term: ${sub.term_months} months)`);
  refuseCancelled(sub, NOT_BILLED);
  await refuseBilled(db, 'subscription', sub.id, sub.external_id);
  const [first, second] = splitInTwo(sub.price_cents);
  const secondStart = addMonths(sub.start_date, 12);
  const firstEnd = addDays(secondStart, -1);
  const currency = await currencyOf(db, sub);
  const due = await dueDaysOf(db, undefined);
  const n = await nextInvoiceNumber(db, op, op.asOf, 'as_of');
  const common = { account_id: sub.account_id, subscription_id: sub.id, instalments: 2, currency };
  const issued = await insertInvoice(db, op, {
    ...n,
    ...common,
    instalment: 1,
    period: schoolYear(sub.start_date),
    lines_json: oneLine(await describe(db, sub, sub.start_date, firstEnd, [1, 2]), first),
    amount_cents: first,
    due_on: addDays(n.issued_on, due),
    status: 'issued',
  });
  const planned = await insertInvoice(db, op, {
    ...common,
    instalment: 2,
    period: schoolYear(secondStart),
    lines_json: oneLine(await describe(db, sub, secondStart, endDateFor(sub.start_date, 24), [2, 2]), second),
    amount_cents: second,
    planned_on: secondStart,
    status: 'planned',
  });
  return [issued, planned];
}

export interface DueInvoices {
  issued: InvoiceRecord[];
  /** planned invoices whose day has come that are not billed (a cancelled subscription's), left planned, with why */
  skipped: { invoice: InvoiceRecord; reason: string }[];
}

/**
 * How many planned invoices `issueDueInvoices` would issue on the as-of date (what a remind preview cannot
 * show): planned, their day come, not of a cancelled subscription.
 */
export async function countDueInvoices(db: Kysely<DB>, asOf: string): Promise<number> {
  const r = await db
    .selectFrom('invoices as i')
    .leftJoin('subscriptions as s', 's.id', 'i.subscription_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('i.status', '=', 'planned')
    .where('i.planned_on', '<=', asOf)
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', '!=', 'cancelled')]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * `invoices issue --due` (and `remind --send` before it reminds): every planned invoice whose day has
 * come (planned_on ≤ as-of) is issued on the as-of date, oldest first. Safe to run twice: an issued
 * invoice is no longer planned. A cancelled subscription is not billed: its planned invoices stay
 * planned and come back as skipped, so the caller says so (void them to be rid of them); they are
 * issued if the subscription is taken back.
 */
export async function issueDueInvoices(db: Kysely<DB>, op: Op): Promise<DueInvoices> {
  const due = await dueDaysOf(db, undefined);
  const rows = await invoicesQuery(db)
    .select((eb) =>
      eb.selectFrom('subscriptions as s').select('s.status').whereRef('s.id', '=', 'i.subscription_id').as('subscription_status'),
    )
    .where('i.status', '=', 'planned')
    .where('i.planned_on', '<=', op.asOf)
    .execute();
  const out: DueInvoices = { issued: [], skipped: [] };
  for (const row of rows) {
    if (row.subscription_status === 'cancelled') {
      const reason = cancelledSubscription(row.subscription_external_id ?? '', NOT_BILLED);
      out.skipped.push({ invoice: toInvoiceRecord(row, op.asOf), reason });
      continue;
    }
    const n = await nextInvoiceNumber(db, op, op.asOf, 'as_of');
    await db
      .updateTable('invoices')
      .set({ ...n, due_on: addDays(n.issued_on, due), status: 'issued', updated_at: op.now })
      .where('id', '=', row.id)
      .execute();
    const after = toInvoiceRecord(await loadInvoice(db, row.id), op.asOf);
    await audit(db, op, { action: 'issue', entity: 'invoice', key: n.number, before: toInvoiceRecord(row, op.asOf), after });
    out.issued.push(after);
  }
  return out;
}

/**
 * Marks an issued invoice paid (the subscription's side: src/composites/billing.ts), on a day neither
 * after today nor before its issue; `field` names the option the day came from.
 */
export async function markInvoicePaid(
  db: Kysely<DB>,
  op: Op,
  row: JoinedInvoice,
  paidOn: string = op.asOf,
  field = 'on',
): Promise<InvoiceRecord> {
  refuseAfterToday(field, paidOn, op.asOf);
  const name = invoiceName(row);
  if (row.status === 'paid') throw new RefusedError(`invoice ${name} is already paid (paid_on ${row.paid_on})`);
  if (row.status !== 'issued') throw new RefusedError(`invoice ${name} is ${row.status}: only an issued invoice is paid`);
  if (paidOn < row.issued_on!) throw invalid(field, paidOn, `must not be before the issue date ${row.issued_on}`);
  await db.updateTable('invoices').set({ status: 'paid', paid_on: paidOn, updated_at: op.now }).where('id', '=', row.id).execute();
  const after = toInvoiceRecord(await loadInvoice(db, row.id), op.asOf);
  await audit(db, op, {
    action: 'pay',
    entity: 'invoice',
    key: name,
    before: { status: row.status, paid_on: null },
    after: { status: 'paid', paid_on: paidOn },
  });
  return after;
}

export { getInvoice } from './record.js';

/** `invoices void NUMBER --reason TEXT`: a paid invoice cannot be voided; the number stays taken. */
export async function voidInvoice(db: Kysely<DB>, op: Op, key: string, reason: string): Promise<InvoiceRecord> {
  const text = checkOne({ name: 'reason', type: 'text' }, reason);
  if (text === null) throw invalid('reason', reason, 'is required');
  const row = await getInvoice(db, key);
  const name = invoiceName(row);
  if (row.status === 'paid') throw new RefusedError(`invoice ${name} is paid: a paid invoice cannot be voided`);
  if (row.status === 'void') throw new RefusedError(`invoice ${name} is already void (${row.void_reason ?? ''})`);
  await db
    .updateTable('invoices')
    .set({ status: 'void', void_reason: text as string, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  const after = toInvoiceRecord(await loadInvoice(db, row.id), op.asOf);
  await audit(db, op, {
    action: 'void',
    entity: 'invoice',
    key: name,
    before: { status: row.status },
    after: { status: 'void', void_reason: text },
  });
  return after;
}

export async function showInvoice(db: Kysely<DB>, op: Op, key: string): Promise<InvoiceRecord> {
  return toInvoiceRecord(await getInvoice(db, key), op.asOf);
}

export interface InvoiceFilter {
  account?: string;
  /** invoices of accounts or subscriptions this manager looks after */
  manager?: string;
  /** invoices billing this training (TRN-000001) */
  training?: string;
  /** displayed status on the as-of date */
  status?: string;
  /** issued (or, while planned, planned) on or after / on or before */
  from?: string;
  to?: string;
}

/** Oldest first: by issue date (planned ones by their day), then number. */
export async function listInvoices(db: Kysely<DB>, op: Op, f: InvoiceFilter = {}): Promise<InvoiceRecord[]> {
  return collect(await invoiceBatches(db, op, f));
}

/** listInvoices a batch at a time, nothing held beyond the batch; the filters checked before the first. */
export async function invoiceBatches(db: Kysely<DB>, op: Op, f: InvoiceFilter = {}): Promise<AsyncIterable<InvoiceRecord[]>> {
  const status = checkFilter({ name: 'status', type: 'enum', values: DISPLAYED_INVOICE_STATUSES }, f.status);
  const { from, to } = checkDateRange(f.from, f.to);
  let q = invoicesQuery(db);
  if (f.account !== undefined) q = q.where('i.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.training !== undefined) q = q.where('i.training_id', '=', (await getTraining(db, f.training)).id);
  if (f.manager !== undefined) {
    const m = await getManager(db, f.manager);
    q = q.where(managedBy(m.id, 'i.account_id', 'i.subscription_id'));
  }
  if (status === 'overdue') q = q.where('i.status', '=', 'issued').where('i.due_on', '<', op.asOf);
  else if (status === 'issued') q = q.where('i.status', '=', 'issued').where('i.due_on', '>=', op.asOf);
  else if (status !== undefined) q = q.where('i.status', '=', status);
  if (from !== undefined) q = q.where((eb) => eb(eb.fn.coalesce('i.issued_on', 'i.planned_on'), '>=', from));
  if (to !== undefined) q = q.where((eb) => eb(eb.fn.coalesce('i.issued_on', 'i.planned_on'), '<=', to));
  return recordBatches(rowBatches(db, q), (r) => toInvoiceRecord(r, op.asOf));
}
