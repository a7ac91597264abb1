import type { Kysely } from '#kysely';
import { auditEach } from '../audit/audit.js';
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
  let q = db.selectFrom('subscriptions').select(['id', 'external_id']).where('manager_id', '=', from.id).orderBy('external_id');
  if (accountIds) q = q.where('account_id', 'in', accountIds.length > 0 ? accountIds : [-1]);
  const subs = await q.execute();
  if (subs.length === 0) return [];
  const ids = subs.map((x) => x.id);
  await db.updateTable('subscriptions').set({ manager_id: to.id, updated_at: op.now }).where('id', 'in', ids).execute();
  await db
    .insertInto('subscription_history')
    .values(
      subs.map((x) => ({
        subscription_id: x.id,
        at: op.now,
        on_date: op.asOf,
        event: 'reassign',
        amount_cents: null,
        details_json: JSON.stringify({ from: from.login, to: to.login }),
        actor: op.actor,
      })),
    )
    .execute();
  const keys = subs.map((x) => x.external_id);
  await auditEach(db, op, keys, {
    action: 'reassign',
    entity: 'subscription',
    before: { manager_login: from.login },
    after: { manager_login: to.login },
  });
  return keys;
}
