/** Renewal carries the non-removed seats over to the successor, with their login state. */
import type { Kysely } from '#kysely';
import { insertChunks } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { seatsQuery, toSeatRecord } from './records.js';

/** Copies the seats (many rows an INSERT); returns how many. The renewal's audit row records them. */
export async function carryOverSeats(db: Kysely<DB>, op: Op, fromSubscriptionId: number, toSubscriptionId: number): Promise<number> {
  const rows = await seatsQuery(db)
    .where('st.subscription_id', '=', fromSubscriptionId)
    .where('st.status', '!=', 'removed')
    .orderBy('st.id')
    .execute();
  if (rows.length === 0) return 0;
  const seats = rows.map((r) => ({
    subscription_id: toSubscriptionId,
    contact_id: r.contact_id,
    status: r.status,
    invited_at: r.invited_at,
    // the effective last login, so dormancy keeps counting from the real last use
    last_login_at: toSeatRecord(r).last_login_at,
    created_at: op.now,
    updated_at: op.now,
  }));
  for (const chunk of insertChunks(seats)) await db.insertInto('seats').values(chunk).execute();
  return rows.length;
}
