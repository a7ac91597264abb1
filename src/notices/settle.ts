/**
 * `acctmgr notices settle ID… --as sent|unsent`: someone checked the mail server's log and records what
 * became of notices a run left in doubt. All or nothing: every ID must be in doubt and not held by a
 * run that still runs (its answer may still come), or nothing changes.
 */
import type { Kysely } from '#kysely';
import type { ClaimHolder } from '../db/liveness.js';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { NotFoundError, RefusedError } from '../errors.js';
import type { Op } from '../op.js';
import { toLedgerRecord, type NoticeLedgerRecord } from './service.js';

export type SettleAs = 'sent' | 'unsent';

export interface SettleOptions {
  /** whether the run that claimed a notice still runs (src/db/liveness.ts); default: assume not */
  isLive?: (holder: ClaimHolder) => Promise<boolean>;
}

export async function settleInDoubt(
  db: Kysely<DB>,
  op: Op,
  ids: readonly number[],
  as: SettleAs,
  options: SettleOptions = {},
): Promise<NoticeLedgerRecord[]> {
  const wanted = [...new Set(ids)];
  const rows = wanted.length === 0 ? [] : await db.selectFrom('notices').selectAll().where('id', 'in', wanted).orderBy('id').execute();
  const missing = wanted.find((id) => !rows.some((r) => r.id === id));
  if (missing !== undefined) throw new NotFoundError('notice', String(missing), 'list them with: acctmgr notices list --status in_doubt');
  const alive = options.isLive ?? (() => Promise.resolve(false));
  const refused: string[] = [];
  for (const r of rows) {
    if (r.status !== 'in_doubt') refused.push(`notice ${r.id} is ${r.status}, not in_doubt`);
    else if (await alive(r)) refused.push(`notice ${r.id} is being delivered by run ${r.run_id} (${r.claimed_by}), which still runs`);
  }
  if (refused.length > 0)
    throw new RefusedError(`${refused.join('; ')}: nothing settled`, 'only notices left in doubt by an earlier run are settled');
  const reason = `settled as ${as} by ${op.actor}`;
  const out: NoticeLedgerRecord[] = [];
  for (const r of rows) {
    const after = await db
      .updateTable('notices')
      .set({ status: as === 'sent' ? 'sent' : 'failed', reason, updated_at: op.now, sent_at: as === 'sent' ? op.now : null })
      .where('id', '=', r.id)
      .where('status', '=', 'in_doubt')
      .returningAll()
      .executeTakeFirstOrThrow();
    const record = toLedgerRecord(after);
    await audit(db, op, { action: 'settle', entity: 'notice', key: String(r.id), before: toLedgerRecord(r), after: record });
    out.push(record);
  }
  return out;
}
