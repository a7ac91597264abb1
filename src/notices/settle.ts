/**
 * `acctmgr notices settle ID… --as sent|unsent`: someone checked the mail server's log and records what
 * became of notices a run left in doubt. All or nothing: every ID must be in doubt and not held by a
 * run that still runs (its answer may still come), or nothing changes.
 */
import type { Kysely } from '#kysely';
import type { ClaimHolder } from '../db/liveness.js';
import { auditAll } from '../audit/audit.js';
import { chunked, rowsOfIds } from '../db/chunks.js';
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
  const rows = (await rowsOfIds(wanted, (chunk) => db.selectFrom('notices').selectAll().where('id', 'in', chunk).execute())).sort(
    (a, b) => a.id - b.id,
  );
  const found = new Set(rows.map((r) => r.id));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw new NotFoundError('notice', String(missing), 'list them with: acctmgr notices list --status in_doubt');
  const isLive = options.isLive ?? (() => Promise.resolve(false));
  // asked once a run (a run leaves many notices in doubt)
  const runs = new Map<string, Promise<boolean>>();
  const alive = (r: ClaimHolder) => {
    const key = `${r.run_id}\u0000${r.claimed_by}`;
    let live = runs.get(key);
    if (!live) runs.set(key, (live = isLive(r)));
    return live;
  };
  const refused: string[] = [];
  for (const r of rows) {
    if (r.status !== 'in_doubt') refused.push(`notice ${r.id} is ${r.status}, not in_doubt`);
    else if (await alive(r)) refused.push(`notice ${r.id} is being delivered by run ${r.run_id} (${r.claimed_by}), which still runs`);
  }
  if (refused.length > 0)
    throw new RefusedError(`${refused.join('; ')}: nothing settled`, 'only notices left in doubt by an earlier run are settled');
  const reason = `settled as ${as} by ${op.actor}`;
  const out: NoticeLedgerRecord[] = [];
  // a chunk of notices a statement (one UPDATE, one INSERT of their audit rows)
  for (const chunk of chunked(rows)) {
    const after = await db
      .updateTable('notices')
      .set({ status: as === 'sent' ? 'sent' : 'failed', reason, updated_at: op.now, sent_at: as === 'sent' ? op.now : null })
      .where(
        'id',
        'in',
        chunk.map((r) => r.id),
      )
      .where('status', '=', 'in_doubt')
      .returningAll()
      .execute();
    const byId = new Map(after.map((r) => [r.id, toLedgerRecord(r)]));
    const records = chunk.map((r) => {
      const record = byId.get(r.id);
      // read in doubt in this transaction a moment ago: an UPDATE that missed one is a bug, not a race
      if (!record) throw new Error(`notice ${r.id} was not settled`);
      return record;
    });
    await auditAll(
      db,
      op,
      chunk.map((r, k) => ({ action: 'settle', entity: 'notice', key: String(r.id), before: toLedgerRecord(r), after: records[k] })),
    );
    out.push(...records);
  }
  return out;
}
