/**
 * `acctmgr notices list`: the ledger of reminder notices, for managers and auditors.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { NOTICE_STATUSES, type NoticeRow } from '../db/schema/notices.js';
import { invalid } from '../errors.js';
import { checkFilter, checkOne } from '../lib/checks.js';
import { coerce } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import { getManager } from '../managers/lookup.js';

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
  const who = f.recipient === undefined ? undefined : await recipientKey(db, f.recipient);
  let q = db.selectFrom('notices').selectAll().orderBy('id');
  if (status !== undefined) q = q.where('status', '=', status);
  if (f.since !== undefined) q = q.where('updated_at', '>=', f.since);
  const rows = (await q.execute()).map(toLedgerRecord);
  if (who === undefined) return rows;
  // the ledger keeps copies of logins and emails, without stored folds: compared by foldKey here
  return rows.filter(
    (r) =>
      (r.recipient_login !== null && foldKey(r.recipient_login) === who) ||
      (r.recipient_email !== null && foldKey(r.recipient_email) === who),
  );
}

/**
 * `--recipient`, checked before anything is read. A login must be a manager's, or one the ledger still holds
 * (a manager removed since keeps their notices); any other login matches nothing: manager not found. An
 * email address must be well-formed and then may match nothing (an empty list): the ledger keeps the address
 * a notice went to, so a contact since removed or moved still has its notices, and no current record can
 * tell that an address was never written to. Text that is neither a login nor an email address is exit 1.
 */
async function recipientKey(db: Kysely<DB>, raw: string): Promise<string> {
  const text = raw.trim();
  if (text.includes('@')) return foldKey(String(checkOne({ name: 'recipient', type: 'email' }, text)));
  if (!coerce({ name: 'recipient', type: 'login' }, text).ok)
    throw invalid('recipient', raw, 'must be a manager login or an email address');
  // logins are stored lower-case ASCII, their own fold, in managers and in the ledger's copies alike
  const login = foldKey(text);
  const inLedger = await db.selectFrom('notices').select('id').where('recipient_login', '=', login).limit(1).executeTakeFirst();
  return inLedger ? login : (await getManager(db, text)).login;
}
