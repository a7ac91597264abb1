/** Renewal carries the non-removed seats over to the successor, with their login state. */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { seatsQuery, toSeatRecord } from './records.js';

/** Copies the seats in one insert; returns how many. The renewal's audit row records them. */
export async function carryOverSeats(db: Kysely<DB>, op: Op, fromSubscriptionId: number, toSubscriptionId: number): Promise<number> {
  const rows = await seatsQuery(db)
    .where('st.subscription_id', '=', fromSubscriptionId)
    .where('st.status', '!=', 'removed')
    .orderBy('st.id')
    .execute();
  if (rows.length === 0) return 0;
  await db
    .insertInto('seats')
    .values(
      rows.map((r) => ({
        subscription_id: toSubscriptionId,
        contact_id: r.contact_id,
        status: r.status,
        invited_at: r.invited_at,
        // the effective last login, so dormancy keeps counting from the real last use
        last_login_at: toSeatRecord(r).last_login_at,
        created_at: op.now,
        updated_at: op.now,
      })),
    )
    .execute();
  return rows.length;
}
