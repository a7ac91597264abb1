/**
 * When a customer notice (invoice or manager-changed) the ledger already holds is due again in a run:
 * the same rules as the managers' notices (src/remind/due.ts).
 */
import type { NoticeStatus } from '../db/schema/notices.js';

export interface CollectOptions {
  retryInDoubt?: boolean;
  isLive?: (holder: { id: number; run_id: string; claimed_by: string | null }) => Promise<boolean>;
}

/**
 * Whether a notice with this ledger state is due in this run: never recorded, failed, claimed by a run
 * that is gone, or in doubt when the run retries those; never sent, skipped or held by a live run.
 */
export async function dueAgain(
  prior: NoticeStatus | null,
  holder: { id: number; run_id: string; claimed_by: string | null } | null,
  options: CollectOptions,
): Promise<boolean> {
  if (prior === null || prior === 'failed') return true;
  if (prior === 'sent' || prior === 'skipped') return false;
  if (holder && options.isLive && (await options.isLive(holder))) return false;
  return prior === 'claimed' || (prior === 'in_doubt' && options.retryInDoubt === true);
}
