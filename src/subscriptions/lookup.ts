import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import type { SubscriptionRow } from '../db/schema/subscriptions.js';
import { NotFoundError } from '../errors.js';

/** Subscriptions are addressed by external_id, case-insensitively. */
export async function findSubscription(db: Kysely<DB>, externalId: string): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where(sql<string>`lower(external_id)`, '=', externalId.trim().toLowerCase())
    .executeTakeFirst();
}

export async function getSubscription(db: Kysely<DB>, externalId: string): Promise<SubscriptionRow> {
  const row = await findSubscription(db, externalId);
  if (!row) throw new NotFoundError('subscription', externalId, 'list subscriptions with: acctmgr subscriptions list');
  return row;
}
