/** Invoice rows joined to what their records show, and the one way an invoice is found by its key. */
import { sql, type Kysely } from '#kysely';
import { keyOf } from '../db/refs.js';
import type { DB } from '../db/schema/index.js';
import type { DisplayedInvoiceStatus } from '../db/schema/invoices.js';
import { NotFoundError, invalid } from '../errors.js';
import { formatCents } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import { trainingKey } from '../trainings/rules.js';
import {
  daysOverdue,
  displayedInvoiceStatus,
  lineOut,
  parseInvoiceNumber,
  NUMBER_RULE,
  type InvoiceLine,
  type StoredLine,
} from './rules.js';

export interface InvoiceRecord {
  /** null while planned */
  number: string | null;
  account_external_id: string;
  account_name: string;
  subscription_external_id: string | null;
  /** the training billed, by its key (TRN-000001) */
  training_id: string | null;
  instalment: number | null;
  instalments: number | null;
  period: string | null;
  lines: InvoiceLine[];
  amount: string;
  currency: string;
  planned_on: string | null;
  issued_on: string | null;
  due_on: string | null;
  paid_on: string | null;
  /** displayed on the as-of date: planned | issued | overdue | paid | void */
  status: DisplayedInvoiceStatus;
  days_overdue: number;
  void_reason: string | null;
}

export function invoicesQuery(db: Kysely<DB>) {
  return db
    .selectFrom('invoices as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .selectAll('i')
    .select(['a.external_id as account_external_id', 'a.name as account_name', 'a.manager_id as account_manager_id'])
    .select(keyOf('subscriptions', 'i.subscription_id').as('subscription_external_id'))
    .select(keyOf<number | null>('trainings', 'i.training_id').as('training_number'))
    .orderBy(sql`coalesce(i.issued_on, i.planned_on)`)
    .orderBy('i.seq')
    .orderBy('i.id');
}
export type JoinedInvoice = Awaited<ReturnType<ReturnType<typeof invoicesQuery>['executeTakeFirstOrThrow']>>;

export function toInvoiceRecord(r: JoinedInvoice, asOf: string): InvoiceRecord {
  return {
    number: r.number,
    account_external_id: r.account_external_id,
    account_name: r.account_name,
    subscription_external_id: r.subscription_external_id,
    training_id: r.training_number === null ? null : trainingKey(Number(r.training_number)),
    instalment: r.instalment,
    instalments: r.instalments,
    period: r.period,
    lines: (JSON.parse(r.lines_json) as StoredLine[]).map(lineOut),
    amount: formatCents(r.amount_cents),
    currency: r.currency,
    planned_on: r.planned_on,
    issued_on: r.issued_on,
    due_on: r.due_on,
    paid_on: r.paid_on,
    status: displayedInvoiceStatus(r, asOf),
    days_overdue: daysOverdue(r, asOf),
    void_reason: r.void_reason,
  };
}

export async function loadInvoice(db: Kysely<DB>, id: number): Promise<JoinedInvoice> {
  return invoicesQuery(db).where('i.id', '=', id).executeTakeFirstOrThrow();
}

const LIST_HINT = 'list invoices with: acctmgr invoices list --account ID';
const PLANNED_RE = /^(.+)#(\d{1,3})$/;

/**
 * An invoice by its number; a planned one (which has none yet) by its subscription and instalment,
 * SUBSCRIPTION#N, or by the subscription alone when it has no instalment (a term billed at once, as the
 * invoices import matches it). A malformed key is invalid data, an unknown one not found.
 */
export async function getInvoice(db: Kysely<DB>, key: string): Promise<JoinedInvoice> {
  const text = key.trim();
  const planned = PLANNED_RE.exec(text);
  let row: JoinedInvoice | undefined;
  if (planned) {
    row = await invoicesQuery(db)
      .where('i.subscription_id', '=', (eb) =>
        eb.selectFrom('subscriptions').select('id').where('external_id_key', '=', foldKey(planned[1]!.trim())),
      )
      .where('i.instalment', '=', Number(planned[2]))
      .where('i.status', '!=', 'void')
      .executeTakeFirst();
  } else if (parseInvoiceNumber(text)) {
    row = await invoicesQuery(db).where('i.number_key', '=', foldKey(text)).executeTakeFirst();
  } else {
    const sub = await db.selectFrom('subscriptions').select('id').where('external_id_key', '=', foldKey(text)).executeTakeFirst();
    if (!sub) throw invalid('number', key, `${NUMBER_RULE} (a planned one: SUBSCRIPTION#2, or SUBSCRIPTION without an instalment)`);
    row = await invoicesQuery(db)
      .where('i.subscription_id', '=', sub.id)
      .where('i.instalment', 'is', null)
      .where('i.number', 'is', null)
      .where('i.status', '!=', 'void')
      .executeTakeFirst();
  }
  if (!row) throw new NotFoundError('invoice', key, LIST_HINT);
  return row;
}

/**
 * How messages name an invoice, in a form getInvoice reads back: its number, or while planned
 * SUBSCRIPTION#N (its instalment) or SUBSCRIPTION alone (no instalment).
 */
export function invoiceName(r: { number: string | null; subscription_external_id: string | null; instalment: number | null }): string {
  if (r.number !== null) return r.number;
  const sub = r.subscription_external_id ?? '?';
  return r.instalment === null ? sub : `${sub}#${r.instalment}`;
}
