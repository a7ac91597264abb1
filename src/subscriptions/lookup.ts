import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { SubscriptionRow } from '../db/schema/subscriptions.js';
import { NotFoundError } from '../errors.js';
import { foldKey } from '../lib/keys.js';

/** Subscriptions are addressed by external_id as a key (its fold: external_id_key). */
export async function findSubscription(db: Kysely<DB>, externalId: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('external_id_key', '=', foldKey(externalId.trim())).executeTakeFirst();
}

export async function getSubscription(db: Kysely<DB>, externalId: string): Promise<SubscriptionRow> {
  const row = await findSubscription(db, externalId);
  if (!row) throw new NotFoundError('subscription', externalId, 'list subscriptions with: acctmgr subscriptions list');
  return row;
}

/** The subscription that renews this one (its non-cancelled successor), if any: then it counts as renewed. */
export async function findSuccessor(db: Kysely<DB>, subscriptionId: number): Promise<{ external_id: string } | undefined> {
  return db
    .selectFrom('subscriptions')
    .select('external_id')
    .where('renewed_from_id', '=', subscriptionId)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
}
