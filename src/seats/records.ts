/** Seat rows joined to their contact and subscription, with the latest login event, in one query. */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { laterTimestamp } from './rules.js';

export interface SeatRecord {
  subscription_external_id: string;
  email: string;
  status: string;
  invited_at: string | null;
  /** the later of the stored value and the latest login event */
  last_login_at: string | null;
  name: string | null;
  account_external_id: string;
  /** the day a removed seat was removed (from then on the usage report no longer counts it); null otherwise */
  removed_at: string | null;
}

/** How a seat is named in messages, keys on stdout and the audit log: SUBSCRIPTION/EMAIL. */
export function seatKey(subscriptionExternalId: string, email: string): string {
  return `${subscriptionExternalId}/${email}`;
}

export function seatsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('seats as st')
    .innerJoin('contacts as c', 'c.id', 'st.contact_id')
    .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .selectAll('st')
    .select(['c.email', 'c.name', 's.external_id as subscription_external_id', 'a.external_id as account_external_id'])
    .select((eb) =>
      eb
        .selectFrom('login_events as le')
        .select((e) => e.fn.max('le.at').as('m'))
        .whereRef('le.seat_id', '=', 'st.id')
        .as('last_event_at'),
    );
}

export type JoinedSeat = Awaited<ReturnType<ReturnType<typeof seatsQuery>['executeTakeFirstOrThrow']>>;

export function toSeatRecord(row: JoinedSeat): SeatRecord {
  return {
    subscription_external_id: row.subscription_external_id,
    email: row.email,
    status: row.status,
    invited_at: row.invited_at,
    last_login_at: laterTimestamp(row.last_login_at, row.last_event_at ?? null),
    name: row.name,
    account_external_id: row.account_external_id,
    removed_at: row.removed_at,
  };
}

/** The seats of one subscription, by email. */
export async function seatsOf(db: Kysely<DB>, subscriptionId: number): Promise<SeatRecord[]> {
  const rows = await seatsQuery(db).where('st.subscription_id', '=', subscriptionId).orderBy('c.email_key').execute();
  return rows.map(toSeatRecord);
}
