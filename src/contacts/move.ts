/**
 * Moving a contact to another account. A seat's email is looked up among the contacts of the subscription's
 * account (docs/subscriptions.md), so a contact that still holds seats on its account's subscriptions cannot
 * leave it: the seats would belong to another account's contact. Removed seats are history and move with the
 * contact (they say that this person had access until the day they were removed).
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { ConflictError } from '../errors.js';

/** Refuses the move while the contact holds seats that are not removed on subscriptions of `fromAccountId`. */
export async function assertNoSeatsLeftBehind(
  db: Kysely<DB>,
  contact: { id: number; email: string; account_external_id: string },
  fromAccountId: number,
): Promise<void> {
  const rows = await db
    .selectFrom('seats as st')
    .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
    .select('s.external_id')
    .where('st.contact_id', '=', contact.id)
    .where('s.account_id', '=', fromAccountId)
    .where('st.status', '!=', 'removed')
    .orderBy('s.external_id_key')
    .execute();
  if (rows.length === 0) return;
  const subs = rows.map((r) => r.external_id);
  const shown = subs.length > 10 ? `${subs.slice(0, 10).join(', ')} …` : subs.join(', ');
  throw new ConflictError(
    `contact ${contact.email} of account ${contact.account_external_id} holds ${subs.length} seat(s) that are not removed on ` +
      `subscriptions of that account: ${shown}; it cannot move to another account while it does`,
    `remove the seats first: acctmgr seats remove ${contact.email} --subscription ${subs[0]} --yes`,
  );
}
