/** `subscriptions show`: the record with its whole renewal chain, the seats in use and the history. */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { seatsOf } from '../seats/records.js';
import type { SeatRecord } from '../seats/records.js';
import { listHistory, type HistoryRecord } from './history.js';
import { getSubscription } from './lookup.js';
import { subscriptionsQuery, toSubscriptionRecord, type SubscriptionRecord } from './records.js';

export interface ChainLink {
  external_id: string;
  /** predecessor | this | successor */
  relation: string;
  plan: string;
  start_date: string;
  end_date: string;
  status: string;
  price: string;
}

export interface SubscriptionDetails extends SubscriptionRecord {
  renewal_chain: ChainLink[];
  seats_in_use: number;
  seats: SeatRecord[];
  history: HistoryRecord[];
}

/** Ids of every predecessor (walking renewed_from) and every successor (breadth first, all branches). */
async function chainIds(db: Kysely<DB>, id: number, renewedFrom: number | null) {
  const before: number[] = [];
  for (let prev = renewedFrom; prev !== null && !before.includes(prev);) {
    before.push(prev);
    const row = await db.selectFrom('subscriptions').select('renewed_from_id').where('id', '=', prev).executeTakeFirstOrThrow();
    prev = row.renewed_from_id;
  }
  const after: number[] = [];
  for (let frontier = [id]; frontier.length > 0;) {
    const rows = await db.selectFrom('subscriptions').select('id').where('renewed_from_id', 'in', frontier).execute();
    frontier = rows.map((r) => r.id).filter((x) => !after.includes(x) && x !== id);
    after.push(...frontier);
  }
  return { before, after };
}

async function renewalChain(db: Kysely<DB>, id: number, renewedFrom: number | null, asOf: string): Promise<ChainLink[]> {
  const { before, after } = await chainIds(db, id, renewedFrom);
  const rows = await subscriptionsQuery(db)
    .where('s.id', 'in', [...before, id, ...after])
    .orderBy('s.start_date')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => {
    const rec = toSubscriptionRecord(r, asOf);
    const relation = r.id === id ? 'this' : before.includes(r.id) ? 'predecessor' : 'successor';
    return {
      external_id: rec.external_id,
      relation,
      plan: rec.plan,
      start_date: rec.start_date,
      end_date: rec.end_date,
      status: rec.status,
      price: rec.price,
    };
  });
}

export async function showSubscription(db: Kysely<DB>, asOf: string, key: string): Promise<SubscriptionDetails> {
  const sub = await getSubscription(db, key);
  const record = toSubscriptionRecord(await subscriptionsQuery(db).where('s.id', '=', sub.id).executeTakeFirstOrThrow(), asOf);
  const seats = (await seatsOf(db, sub.id)).filter((s) => s.status !== 'removed');
  return {
    ...record,
    renewal_chain: await renewalChain(db, sub.id, sub.renewed_from_id, asOf),
    seats_in_use: seats.length,
    seats,
    history: await listHistory(db, sub.id),
  };
}
