/**
 * The record of who changed an account's manager (migration 0013), written by the operations a person
 * makes (assign, edit --manager-login, reassign, a renewal by another manager) in their own
 * transaction; imports do not call it. Each row is the cycle of a `manager-changed` customer notice.
 */
import type { Kysely } from '#kysely';
import { insertChunks } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';

export type ChangeVia = 'assign' | 'edit' | 'reassign' | 'renew';

/** Records that the accounts now have `toId` as manager (none when it is unchanged or cleared). */
export async function recordManagerChanges(
  db: Kysely<DB>,
  op: Op,
  changes: readonly { account_id: number; from_manager_id: number | null }[],
  toId: number | null,
  via: ChangeVia,
): Promise<void> {
  if (toId === null) return;
  const rows = changes
    .filter((c) => c.from_manager_id !== toId)
    .map((c) => ({ ...c, to_manager_id: toId, via, changed_on: op.asOf, created_at: op.now }));
  for (const chunk of insertChunks(rows)) await db.insertInto('manager_changes').values(chunk).execute();
}
