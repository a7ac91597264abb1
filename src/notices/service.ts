/**
 * `acctmgr notices list`: the ledger of reminder notices, for managers and auditors.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { NOTICE_STATUSES, type NoticeRow } from '../db/schema/notices.js';
import { checkFilter } from '../lib/checks.js';
import { foldKey } from '../lib/keys.js';

/** A ledger row as `notices list --json` prints it: every column but the subject's id and the claimant (a host and pid). */
export type NoticeLedgerRecord = Omit<NoticeRow, 'subject_id' | 'claimed_by' | 'subscription_external_id'> & {
  /** null: a notice of an invoice that bills no subscription (a training's), or of a manager change (the ledger keeps '') */
  subscription_external_id: string | null;
};

export interface NoticeFilter {
  status?: string;
  /** changed (recorded, sent, failed …) on or after this date */
  since?: string;
  /** a manager login, or an email address (contacts of tutor accounts have no login) */
  recipient?: string;
}

export function toLedgerRecord(r: NoticeRow): NoticeLedgerRecord {
  return {
    id: r.id,
    kind: r.kind,
    stage: r.stage,
    cycle: r.cycle,
    due_date: r.due_date,
    status: r.status,
    reason: r.reason,
    recipient_login: r.recipient_login,
    recipient_email: r.recipient_email,
    account_external_id: r.account_external_id,
    subscription_external_id: r.subscription_external_id || null,
    contact_email: r.contact_email,
    invoice_number: r.invoice_number,
    attempts: r.attempts,
    run_id: r.run_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
    sent_at: r.sent_at,
  };
}

export async function listNotices(db: Kysely<DB>, f: NoticeFilter = {}): Promise<NoticeLedgerRecord[]> {
  const status = checkFilter({ name: 'status', type: 'enum', values: NOTICE_STATUSES }, f.status);
  let q = db.selectFrom('notices').selectAll().orderBy('id');
  if (status !== undefined) q = q.where('status', '=', status);
  if (f.since !== undefined) q = q.where('updated_at', '>=', f.since);
  const rows = (await q.execute()).map(toLedgerRecord);
  if (f.recipient === undefined) return rows;
  // the ledger keeps copies of logins and emails, without stored folds: compared by foldKey here
  const who = foldKey(f.recipient.trim());
  return rows.filter(
    (r) =>
      (r.recipient_login !== null && foldKey(r.recipient_login) === who) ||
      (r.recipient_email !== null && foldKey(r.recipient_email) === who),
  );
}
