/**
 * Moving a contact to another account. A seat's email is looked up among the contacts of the subscription's
 * account (docs/subscriptions.md), so a contact that still holds seats on its account's subscriptions cannot
 * leave it: the seats would belong to another account's contact. Removed seats are history and move with the
 * contact (they say that this person had access until the day they were removed). A request's or an
 * activity's contact is a contact of its account (docs/worklog.md), and an import looks it up there, so a
 * contact named by its account's requests or activities cannot leave it either: its export would no longer
 * import. That person is added to the other account as a new contact instead (and removed here).
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { ACTIVITY_KEY } from '../activities/rules.js';
import { ConflictError } from '../errors.js';
import { REQUEST_KEY } from '../requests/rules.js';

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
  throw new ConflictError(
    `contact ${contact.email} of account ${contact.account_external_id} holds ${subs.length} seat(s) that are not removed on ` +
      `subscriptions of that account: ${shown(subs)}; it cannot move to another account while it does`,
    `remove the seats first: acctmgr seats remove ${contact.email} --subscription ${subs[0]} --yes`,
  );
}

/** The first keys of a list (the rest as " …"). */
function shown(keys: readonly string[]): string {
  return keys.length > 10 ? `${keys.slice(0, 10).join(', ')} …` : keys.join(', ');
}

/**
 * Refuses the move while the contact is the requester of requests, or the contact of activities, of
 * `fromAccountId` (history that cannot move with it: those rows stay with the account).
 */
export async function assertNoHistoryLeftBehind(
  db: Kysely<DB>,
  contact: { id: number; email: string; account_external_id: string },
  fromAccountId: number,
  toAccountExternalId: string,
): Promise<void> {
  const numbers = (table: 'requests' | 'activities') =>
    db
      .selectFrom(table)
      .select('number')
      .where('contact_id', '=', contact.id)
      .where('account_id', '=', fromAccountId)
      .orderBy('number')
      .execute();
  const requests = (await numbers('requests')).map((r) => REQUEST_KEY.key(r.number));
  const activities = (await numbers('activities')).map((r) => ACTIVITY_KEY.key(r.number));
  if (requests.length === 0 && activities.length === 0) return;
  const named = [
    ...(requests.length > 0 ? [`${requests.length} ${requests.length === 1 ? 'request' : 'requests'}: ${shown(requests)}`] : []),
    ...(activities.length > 0 ? [`${activities.length} ${activities.length === 1 ? 'activity' : 'activities'}: ${shown(activities)}`] : []),
  ];
  throw new ConflictError(
    `contact ${contact.email} of account ${contact.account_external_id} is named by that account's ` +
      `${named.join('; ')}; it cannot move to another account while it is (they stay with the account)`,
    `add the person to the other account instead: acctmgr contacts add --account-external-id ${toAccountExternalId} ` +
      `--email ${contact.email}; then, if they left, acctmgr contacts remove ${contact.email} --account ${contact.account_external_id} --yes`,
  );
}
