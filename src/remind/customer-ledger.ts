/**
 * The ledger rows of notices to customers (invoice notices, manager-changed): one row shape and one claim
 * — a new row inserted (when another run inserted it first, this run has nothing to send), or the row this
 * run read taken by compare-and-set on its status and run (an in-doubt or abandoned notice retried).
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { NoticeStatus } from '../db/schema/notices.js';
import type { Op } from '../op.js';

/** What a customer notice's row names; the rest is the same for every one. */
export interface CustomerLedgerFields {
  kind: string;
  subject_id: number;
  stage: string;
  cycle: string;
  due_date: string;
  recipient_email: string | null;
  account_external_id: string;
  subscription_external_id: string;
  contact_email: string | null;
  invoice_number: string | null;
  /** the reason a skipped row gives */
  reason: string | null;
}

export function customerLedgerRow(f: CustomerLedgerFields, op: Op, status: NoticeStatus, runId: string, claimant: string | null) {
  return {
    kind: f.kind,
    subject_id: f.subject_id,
    stage: f.stage,
    cycle: f.cycle,
    due_date: f.due_date,
    status,
    reason: status === 'skipped' ? f.reason : null,
    recipient_login: null,
    recipient_email: f.recipient_email,
    account_external_id: f.account_external_id,
    subscription_external_id: f.subscription_external_id,
    contact_email: f.contact_email,
    invoice_number: f.invoice_number,
    run_id: runId,
    claimed_by: claimant,
    attempts: status === 'sent' ? 1 : 0,
    created_at: op.now,
    updated_at: op.now,
    sent_at: status === 'sent' ? op.now : null,
  };
}

/** The row as it was read when the notice was found due: none yet, or its id, status and run. */
export interface HeldRow {
  prior: NoticeStatus | null;
  holder?: { id: number; run_id: string } | null;
  skip: string | null;
}

/** Claims one notice (status `want`); its row id, or undefined when another run took it first. */
export async function claimCustomerRow(
  db: Kysely<DB>,
  op: Op,
  row: ReturnType<typeof customerLedgerRow>,
  held: HeldRow,
  runId: string,
  claimant: string | null,
): Promise<number | undefined> {
  if (!held.holder || held.prior === null) {
    const r = await db
      .insertInto('notices')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'subject_id', 'stage', 'cycle']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return r?.id;
  }
  const r = await db
    .updateTable('notices')
    .set({ status: row.status, run_id: runId, claimed_by: claimant, updated_at: op.now, reason: held.skip, sent_at: row.sent_at })
    .where('id', '=', held.holder.id)
    .where('status', '=', held.prior)
    .where('run_id', '=', held.holder.run_id)
    .returning('id')
    .executeTakeFirst();
  return r?.id;
}
