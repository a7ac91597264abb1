import type { Kysely } from '#kysely';
import { auditEach } from '../audit/audit.js';
import { chunked, insertChunks, rowsOfIds } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';

/**
 * Moves the subscriptions FROM manages (all, or only those on the given accounts) to TO: one update for
 * all of them; each moved subscription gets its audit row and a history entry.
 */
export async function moveSubscriptions(
  db: Kysely<DB>,
  op: Op,
  from: { id: number; login: string },
  to: { id: number; login: string },
  accountIds?: number[],
): Promise<string[]> {
  const held = () => db.selectFrom('subscriptions').select(['id', 'external_id']).where('manager_id', '=', from.id);
  // the named accounts' (a chunk of ids a statement), in order of external_id as the whole list is
  const subs = accountIds
    ? (await rowsOfIds(accountIds, (chunk) => held().where('account_id', 'in', chunk).execute())).sort((x, y) =>
        x.external_id < y.external_id ? -1 : x.external_id > y.external_id ? 1 : 0,
      )
    : await held().orderBy('external_id').execute();
  if (subs.length === 0) return [];
  for (const chunk of chunked(subs.map((x) => x.id)))
    await db.updateTable('subscriptions').set({ manager_id: to.id, updated_at: op.now }).where('id', 'in', chunk).execute();
  const history = subs.map((x) => ({
    subscription_id: x.id,
    at: op.now,
    on_date: op.asOf,
    event: 'reassign',
    amount_cents: null,
    details_json: JSON.stringify({ from: from.login, to: to.login }),
    actor: op.actor,
  }));
  for (const rows of insertChunks(history)) await db.insertInto('subscription_history').values(rows).execute();
  const keys = subs.map((x) => x.external_id);
  await auditEach(db, op, keys, {
    action: 'reassign',
    entity: 'subscription',
    before: { manager_login: from.login },
    after: { manager_login: to.login },
  });
  return keys;
}
