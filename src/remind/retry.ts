/**
 * When a customer notice (invoice or manager-changed) the ledger already holds is due again in a run:
 * the same rules as the managers' notices (src/remind/due.ts).
 */
import type { NoticeStatus } from '../db/schema/notices.js';

export interface CollectOptions<N = unknown> {
  retryInDoubt?: boolean;
  isLive?: (holder: { id: number; run_id: string; claimed_by: string | null }) => Promise<boolean>;
  /** receives the notices due that a live run holds (left to it; the run notes how many, as for the managers' notices) */
  held?: N[];
  /** receives the ledger ids of the notices left in doubt whose stage is still sendable (--retry-in-doubt would send them) */
  sendableInDoubt?: Set<number>;
}

/**
 * Whether a notice with this ledger state is due in this run ('due': never recorded, failed, claimed by a
 * run that is gone, or in doubt when the run retries those), held by a run that still runs ('live': left
 * to it), or neither (sent, skipped, or in doubt without a retry).
 */
export async function dueAgain(
  prior: NoticeStatus | null,
  holder: { id: number; run_id: string; claimed_by: string | null } | null,
  options: CollectOptions<unknown>,
): Promise<'due' | 'live' | undefined> {
  if (prior === null || prior === 'failed') return 'due';
  if (prior === 'sent' || prior === 'skipped') return undefined;
  if (holder && options.isLive && (await options.isLive(holder))) return 'live';
  if (prior === 'in_doubt' && options.retryInDoubt !== true && holder) options.sendableInDoubt?.add(holder.id);
  return prior === 'claimed' || (prior === 'in_doubt' && options.retryInDoubt === true) ? 'due' : undefined;
}
