/**
 * `db check`: seats that are not removed whose contact is not of the subscription's account. A seat's email
 * is looked up among the contacts of the subscription's account, so such a seat answers to nobody; acctmgr
 * before 2026-11 let `contacts edit --account-external-id` move a contact away from its seats. Removed seats
 * of a moved contact are its history and are not reported (docs/contacts.md).
 */
import type { Kysely } from '#kysely';
import type { DB } from './schema/index.js';

export interface SeatOfOtherAccount {
  seat_id: number;
  subscription_external_id: string;
  email: string;
  /** the subscription's account */
  account_external_id: string;
  /** the account the seat's contact belongs to */
  contact_account_external_id: string;
}

export async function seatsOfOtherAccounts(db: Kysely<DB>, max: number): Promise<SeatOfOtherAccount[]> {
  const rows = await db
    .selectFrom('seats as st')
    .innerJoin('contacts as c', 'c.id', 'st.contact_id')
    .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('accounts as ca', 'ca.id', 'c.account_id')
    .select(['st.id', 's.external_id', 'c.email', 'a.external_id as account', 'ca.external_id as contact_account'])
    .whereRef('c.account_id', '!=', 's.account_id')
    .where('st.status', '!=', 'removed')
    .orderBy('st.id')
    .limit(max)
    .execute();
  return rows.map((r) => ({
    seat_id: Number(r.id),
    subscription_external_id: r.external_id,
    email: r.email,
    account_external_id: r.account,
    contact_account_external_id: r.contact_account,
  }));
}

/**
 * Seats that are not removed of a removed contact (doctor's seat_of_removed_contact; what an import undo may not
 * bring back), by subscription and email in the keys' order; at most `max` when given.
 */
export async function seatsOfRemovedContacts(db: Kysely<DB>, max?: number): Promise<{ email: string; external_id: string }[]> {
  let q = db
    .selectFrom('seats as st')
    .innerJoin('contacts as c', 'c.id', 'st.contact_id')
    .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
    .select(['c.email', 's.external_id'])
    .where('c.status', '=', 'removed')
    .where('st.status', '!=', 'removed')
    .orderBy('s.external_id_key')
    .orderBy('c.email_key');
  if (max !== undefined) q = q.limit(max);
  return q.execute();
}
