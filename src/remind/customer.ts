/**
 * Customer notices about invoices (issue 14): `invoice-issued` (due on issued_on), `invoice-paid` (due on
 * paid_on), each sendable for 30 days (the first only while unpaid), and `invoice-overdue` with stages overdue+1d, overdue+14d and
 * overdue+30d after due_on (sendable on [+1, +14), [+14, +30), [+30, +60); none once paid or void). The
 * subject is the invoice (subject_id = invoices.id, invoice_number in the ledger); the cycle is the date
 * the schedule counts from. They go to the customer — the account's billing contact that is not removed,
 * else its earliest primary contact — with the account's manager (or their backup on leave) in Cc, one
 * message per notice in the account's locale. The same ledger and states as the managers' notices give
 * exactly once: a notice is claimed by inserting its row, in_doubt just before its message goes out, then
 * sent, failed or left in doubt (settled with `notices settle`). Accounts with customer emails off, or
 * without a billing or primary contact, get their notices recorded as skipped with that reason.
 */
import type { Kysely } from '#kysely';
import { rowsOfIds } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import type { NoticeStatus } from '../db/schema/notices.js';
import { addDays, diffDays } from '../lib/dates.js';
import { resolveRecipient } from '../managers/leave.js';
import type { Op } from '../op.js';
import type { Recipient } from './recipients.js';
import { LAST_STAGE_DAYS, noticeKey } from './schedule.js';
import { dueAgain, type CollectOptions } from './retry.js';
import { claimCustomerRow, customerLedgerRow } from './customer-ledger.js';

export const CUSTOMER_KINDS = ['invoice-issued', 'invoice-paid', 'invoice-overdue'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

/** Overdue stages: days after due_on each starts; the last is sendable for 30 days. */
const OVERDUE_STAGES = [
  { stage: 'overdue+1d', from: 1 },
  { stage: 'overdue+14d', from: 14 },
  { stage: 'overdue+30d', from: 30 },
] as const;

export const CUSTOMER_EMAILS_OFF = 'customer emails are switched off for the account';
export const NO_CUSTOMER = 'the account has no billing contact and no primary contact that is not removed';

export interface InvoiceInfo {
  id: number;
  number: string;
  account_id: number;
  account_external_id: string;
  account_name: string;
  account_type: string;
  locale: string | null;
  customer_emails: number;
  manager_id: number | null;
  subscription_external_id: string | null;
  /** the number of the training billed (its key TRN-000001), or null */
  training_number: number | null;
  period: string | null;
  amount_cents: number;
  currency: string;
  issued_on: string;
  due_on: string | null;
  paid_on: string | null;
  status: string;
}

export interface CustomerNotice {
  kind: CustomerKind;
  stage: string;
  cycle: string;
  due_date: string;
  /** the stages of the cycle before this one (recorded as skipped when this one is claimed) */
  earlier: { stage: string; due_date: string }[];
  invoice: InvoiceInfo;
  recipient: Recipient;
  cc: Recipient | null;
  /** why it is recorded as skipped instead of sent (customer emails off, no customer contact), or null */
  skip: string | null;
  /** ledger status before this run: null, failed, claimed (by a run that is gone) or in_doubt (retried) */
  prior: NoticeStatus | null;
  /** the ledger row before this run, taken over by compare-and-set */
  holder?: { id: number; run_id: string; claimed_by: string | null } | null;
  ledger_id?: number;
}

/** The sendable stage of each kind for one invoice on asOf. */
export function invoiceStages(i: InvoiceInfo, asOf: string): Omit<CustomerNotice, 'invoice' | 'recipient' | 'cc' | 'skip' | 'prior'>[] {
  const out: Omit<CustomerNotice, 'invoice' | 'recipient' | 'cc' | 'skip' | 'prior'>[] = [];
  const within = (from: string, days: number) => from <= asOf && asOf < addDays(from, days);
  // "please pay" makes no sense once paid (the invoice-paid notice says so) or void
  if (i.status === 'issued' && within(i.issued_on, LAST_STAGE_DAYS))
    out.push({ kind: 'invoice-issued', stage: 'invoice-issued', cycle: i.issued_on, due_date: i.issued_on, earlier: [] });
  if (i.status === 'paid' && i.paid_on !== null && within(i.paid_on, LAST_STAGE_DAYS))
    out.push({ kind: 'invoice-paid', stage: 'invoice-paid', cycle: i.paid_on, due_date: i.paid_on, earlier: [] });
  if (i.status === 'issued' && i.due_on !== null) {
    const late = diffDays(i.due_on, asOf);
    const at = OVERDUE_STAGES.findIndex((s, k) => late >= s.from && late < (OVERDUE_STAGES[k + 1]?.from ?? s.from + LAST_STAGE_DAYS));
    if (at >= 0) {
      const due = (k: number) => addDays(i.due_on!, OVERDUE_STAGES[k]!.from);
      out.push({
        kind: 'invoice-overdue',
        stage: OVERDUE_STAGES[at]!.stage,
        cycle: i.due_on,
        due_date: due(at),
        earlier: OVERDUE_STAGES.slice(0, at).map((s, k) => ({ stage: s.stage, due_date: due(k) })),
      });
    }
  }
  return out;
}

/** The customer of each account: its billing contact that is not removed, else its earliest primary one. */
async function customers(db: Kysely<DB>, accountIds: number[]): Promise<Map<number, Recipient>> {
  const out = new Map<number, Recipient>();
  // a chunk of accounts a statement
  const rows = await rowsOfIds(accountIds, (chunk) =>
    db
      .selectFrom('contacts')
      .select(['account_id', 'email', 'name', 'role', 'is_primary'])
      .where('account_id', 'in', chunk)
      .where('status', '!=', 'removed')
      .where((eb) => eb.or([eb('role', '=', 'billing'), eb('is_primary', '=', 1)]))
      .orderBy('account_id')
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
  for (const pass of ['billing', 'primary'] as const)
    for (const r of rows)
      if (!out.has(r.account_id) && (pass === 'billing' ? r.role === 'billing' : r.is_primary === 1))
        out.set(r.account_id, { login: '', email: r.email, name: r.name ?? r.email });
  return out;
}

/** Every customer notice sendable on asOf that the ledger does not hold as sent, skipped, claimed or in doubt. */
export async function collectCustomerNotices(
  db: Kysely<DB>,
  asOf: string,
  options: CollectOptions<CustomerNotice> = {},
): Promise<CustomerNotice[]> {
  const since = addDays(asOf, -(30 + LAST_STAGE_DAYS));
  const invoices = (await db
    .selectFrom('invoices as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    // what is billed — a subscription or a training — may be either or neither: the customer is the account's
    .leftJoin('subscriptions as s', 's.id', 'i.subscription_id')
    .leftJoin('trainings as t', 't.id', 'i.training_id')
    .select([
      'i.id',
      'i.number',
      'i.account_id',
      'i.period',
      'i.amount_cents',
      'i.currency',
      'i.issued_on',
      'i.due_on',
      'i.paid_on',
      'i.status',
    ])
    .select(['a.external_id as account_external_id', 'a.name as account_name', 'a.type as account_type', 'a.locale', 'a.customer_emails'])
    .select(['a.manager_id', 's.external_id as subscription_external_id', 't.number as training_number'])
    .where('i.number', 'is not', null)
    .where((eb) => eb.or([eb('i.issued_on', '>=', since), eb('i.paid_on', '>=', since), eb('i.status', '=', 'issued')]))
    .orderBy('i.id')
    .execute()) as InvoiceInfo[];
  const ledger = new Map<string, { id: number; status: NoticeStatus; run_id: string; claimed_by: string | null }>();
  const ids = invoices.map((i) => i.id);
  for (let k = 0; k < ids.length; k += 500) {
    const rows = await db
      .selectFrom('notices')
      .select(['id', 'kind', 'subject_id', 'stage', 'cycle', 'status', 'run_id', 'claimed_by'])
      .where('kind', 'in', [...CUSTOMER_KINDS])
      .where('subject_id', 'in', ids.slice(k, k + 500))
      .execute();
    for (const r of rows) ledger.set(noticeKey(r.kind, r.subject_id, r.stage, r.cycle), { ...r, status: r.status as NoticeStatus });
  }
  const people = await customers(db, [...new Set(invoices.map((i) => i.account_id))]);
  const managers = new Map<number, Recipient>();
  const due: CustomerNotice[] = [];
  for (const invoice of invoices) {
    for (const s of invoiceStages(invoice, asOf)) {
      const held = ledger.get(noticeKey(s.kind, invoice.id, s.stage, s.cycle));
      const prior = held?.status ?? null;
      const holder = held ? { id: held.id, run_id: held.run_id, claimed_by: held.claimed_by } : null;
      const state = await dueAgain(prior, holder, options);
      if (!state) continue;
      const recipient = people.get(invoice.account_id);
      let cc: Recipient | null = null;
      if (invoice.manager_id !== null) {
        if (!managers.has(invoice.manager_id)) {
          const m = await resolveRecipient(db, invoice.manager_id, asOf);
          managers.set(invoice.manager_id, { login: m.login, email: m.email, name: m.name });
        }
        cc = managers.get(invoice.manager_id)!;
      }
      const skip = invoice.customer_emails === 0 ? CUSTOMER_EMAILS_OFF : recipient ? null : NO_CUSTOMER;
      const notice = { ...s, invoice, recipient: recipient ?? { login: '', email: '', name: '' }, cc, skip, prior, holder };
      (state === 'due' ? due : (options.held ?? [])).push(notice);
    }
  }
  return due;
}

/** The ledger row of a customer notice (the recipient is the customer; contact_email names them too). */
export function customerRow(
  n: CustomerNotice,
  op: Op,
  status: NoticeStatus,
  runId: string,
  claimant: string | null,
  stage = n.stage,
  dueDate = n.due_date,
) {
  const fields = {
    kind: n.kind,
    subject_id: n.invoice.id,
    stage,
    cycle: n.cycle,
    due_date: dueDate,
    recipient_email: n.recipient.email || null,
    account_external_id: n.invoice.account_external_id,
    subscription_external_id: n.invoice.subscription_external_id ?? '',
    contact_email: n.recipient.email || null,
    invoice_number: n.invoice.number,
    reason: n.skip ?? 'a later stage was sent',
  };
  return customerLedgerRow(fields, op, status, runId, claimant);
}

/**
 * Claims the notices for this run (status claimed before a delivery, sent for --mark-sent; skipped for
 * accounts with customer emails off) and records the earlier unsent overdue stages as skipped. A notice
 * another run took first yields nothing here.
 */
export async function claimCustomerNotices(
  db: Kysely<DB>,
  op: Op,
  notices: CustomerNotice[],
  status: 'claimed' | 'sent',
  runId: string,
  claimant: string | null,
): Promise<CustomerNotice[]> {
  const out: CustomerNotice[] = [];
  for (const n of notices) {
    const id = await claimCustomerRow(db, op, customerRow(n, op, n.skip ? 'skipped' : status, runId, claimant), n, runId, claimant);
    if (id === undefined) continue;
    for (const e of n.earlier)
      await db
        .insertInto('notices')
        .values(customerRow(n, op, 'skipped', runId, null, e.stage, e.due_date))
        .onConflict((oc) => oc.columns(['kind', 'subject_id', 'stage', 'cycle']).doNothing())
        .execute();
    out.push({ ...n, ledger_id: id });
  }
  return out;
}

/** Marks a claimed notice in_doubt just before its message goes out; false when it is no longer this run's. */
export async function startCustomerDelivery(db: Kysely<DB>, now: string, runId: string, n: { ledger_id?: number }): Promise<boolean> {
  const r = await db
    .updateTable('notices')
    .set((eb) => ({ status: 'in_doubt', attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('id', '=', n.ledger_id!)
    .where('status', '=', 'claimed')
    .where('run_id', '=', runId)
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}
