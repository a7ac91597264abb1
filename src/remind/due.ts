/**
 * What a run would deliver: the sendable candidates minus what the ledger already holds as sent,
 * skipped or in_doubt. Failed notices are due again (retried while still sendable); in_doubt ones are
 * reported and left alone unless the run retries them.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import { addMonthsThenDays, boundDate } from '../lib/dates.js';
import { candidateKey, collectCandidates, type Candidate, type NoRecipient } from './candidates.js';
import { LAST_STAGE_DAYS, noticeKey, type NoticeStatus } from './schedule.js';

/** A sendable notice; `prior` is its ledger status before this run (null, failed, or in_doubt when retried). */
export type DueNotice = Candidate;

export interface DuePlan {
  due: DueNotice[];
  /** sendable but left in doubt by an earlier run that is gone: reported, not sent (unless retried) */
  inDoubt: DueNotice[];
  /** claimed by a run that is still running (an overlapping cron run): neither sent nor an error */
  inProgress: DueNotice[];
  noRecipient: NoRecipient[];
}

export interface DueOptions {
  retryInDoubt?: boolean;
  /** whether the process that claimed a notice (host:pid) is still running; default: assume not */
  isAlive?: (claimant: string) => boolean;
}

export async function computeDue(db: Kysely<DB>, asOf: string, options: DueOptions = {}): Promise<DuePlan> {
  const { statuses, claimants } = await loadLedger(db, asOf);
  const { candidates, noRecipient } = await collectCandidates(db, asOf, { ledger: statuses });
  const plan: DuePlan = { due: [], inDoubt: [], inProgress: [], noRecipient };
  const alive = options.isAlive ?? (() => false);
  for (const c of candidates) {
    if (c.prior !== 'in_doubt') plan.due.push(c);
    else if (alive(claimants.get(candidateKey(c)) ?? '')) plan.inProgress.push(c);
    else if (options.retryInDoubt) plan.due.push(c);
    else plan.inDoubt.push(c);
  }
  return {
    due: sortNotices(plan.due),
    inDoubt: sortNotices(plan.inDoubt),
    inProgress: sortNotices(plan.inProgress),
    noRecipient: sortNotices(plan.noRecipient),
  };
}

/**
 * Ledger statuses of every notice that can still be sendable on asOf (due dates after the longest
 * possible window), keyed like the unique index.
 */
export async function loadLedger(db: Kysely<DB>, asOf: string) {
  const since = boundDate(() => addMonthsThenDays(asOf, -7, -LAST_STAGE_DAYS));
  const statuses = new Map<string, NoticeStatus>();
  const claimants = new Map<string, string>();
  const rows = db
    .selectFrom('notices')
    .select(['kind', 'subject_id', 'stage', 'cycle', 'status', 'claimed_by'])
    .where('due_date', '>=', since)
    .stream();
  for await (const r of rows) {
    const key = noticeKey(r.kind, r.subject_id, r.stage, r.cycle);
    statuses.set(key, r.status as NoticeStatus);
    if (r.status === 'in_doubt' && r.claimed_by !== null) claimants.set(key, r.claimed_by);
  }
  return { statuses, claimants };
}

interface SortKey {
  recipient_email?: string;
  recipient?: { email: string };
  kind: string;
  stage: string;
  subscription_external_id?: string;
  sub?: { external_id: string };
  contact_email: string | null;
}

/**
 * The contract order: recipient_email, kind, stage, subscription_external_id, contact_email, each by
 * plain code-unit comparison (no locale collation), null contact_email first. One key string per
 * item (fields joined by NUL, which sorts below every other character) keeps a 100,000-notice sort
 * cheap.
 */
export function sortNotices<T extends SortKey>(items: T[]): T[] {
  const keyed = items.map((item) => ({ item, key: sortKey(item) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}

function sortKey(n: SortKey): string {
  return [n.recipient?.email ?? n.recipient_email ?? '', n.kind, n.stage, n.sub?.external_id ?? n.subscription_external_id ?? '', n.contact_email ?? ''].join('\u0000');
}
