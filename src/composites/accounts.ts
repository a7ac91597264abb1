/**
 * Account operations that reach other domains: assigning a manager moves the subscriptions that manager
 * managed on the account; removing an account removes its contacts and custom field values, and is
 * refused while sub-accounts or subscriptions refer to it. Audited in the caller's transaction.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { accountRecordById, type AccountRecord } from '../accounts/record.js';
import { subAccounts } from '../accounts/refs.js';
import { tutorProblem } from '../accounts/rules.js';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { InvalidDataError, RefusedError } from '../errors.js';
import { recordManagerChanges } from '../managers/changes.js';
import { getManager } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { moveSubscriptions } from '../subscriptions/move.js';

export interface AssignResult {
  account: AccountRecord;
  /** external ids of the subscriptions that moved with the account */
  subscriptions: string[];
}

/**
 * Gives the account to MANAGER. The account's subscriptions that were managed by its previous manager
 * follow; those managed by someone else (or by nobody) stay as they are.
 */
export async function assignManager(db: Kysely<DB>, op: Op, externalId: string, login: string): Promise<AssignResult> {
  const row = await getAccount(db, externalId);
  const manager = await getManager(db, login);
  const tutor = tutorProblem(row.type, 'manager_login', manager.login);
  if (tutor) throw new InvalidDataError([tutor]);
  if (row.manager_id === manager.id) return { account: await accountRecordById(db, row.id), subscriptions: [] };
  const before = await accountRecordById(db, row.id);
  await db.updateTable('accounts').set({ manager_id: manager.id, updated_at: op.now }).where('id', '=', row.id).execute();
  await recordManagerChanges(db, op, [{ account_id: row.id, from_manager_id: row.manager_id }], manager.id, 'assign');
  const subscriptions =
    row.manager_id === null || before.manager_login === null
      ? []
      : await moveSubscriptions(db, op, { id: row.manager_id, login: before.manager_login }, manager, [row.id]);
  const after = await accountRecordById(db, row.id);
  await audit(db, op, { action: 'assign', entity: 'account', key: after.external_id, before, after: { ...after, subscriptions } });
  return { account: after, subscriptions };
}

/** Why the account cannot be removed, if anything stands in the way: sub-accounts, subscriptions. */
export async function assertRemovable(
  db: Kysely<DB>,
  externalId: string,
): Promise<{ id: number; external_id: string; name: string; contacts: number }> {
  const row = await getAccount(db, externalId);
  const subs = await subAccounts(db, row.id);
  if (subs.length > 0) {
    const list = subs
      .slice(0, 10)
      .map((s) => s.external_id)
      .join(', ');
    throw new RefusedError(
      `account ${row.external_id} has ${subs.length} sub-account(s): ${list}${subs.length > 10 ? ', …' : ''}`,
      'remove them first, or give them another parent with: acctmgr accounts edit SUB --parent-external-id OTHER',
    );
  }
  const count = async (table: 'subscriptions' | 'contacts') => {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', row.id)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const subscriptions = await count('subscriptions');
  if (subscriptions > 0) {
    throw new RefusedError(
      `account ${row.external_id} has ${subscriptions} subscription(s)`,
      `deactivate it instead: acctmgr accounts deactivate ${row.external_id}`,
    );
  }
  return { id: row.id, external_id: row.external_id, name: row.name, contacts: await count('contacts') };
}

/**
 * Removes an account with its custom field values and contacts. Refused while it has sub-accounts
 * (they would lose their parent) or subscriptions (their history must stay: deactivate instead).
 */
export async function removeAccount(db: Kysely<DB>, op: Op, externalId: string): Promise<AccountRecord> {
  const a = await assertRemovable(db, externalId);
  const before = await accountRecordById(db, a.id);
  await db.deleteFrom('contacts').where('account_id', '=', a.id).execute();
  await db.deleteFrom('account_field_values').where('account_id', '=', a.id).execute();
  await db.deleteFrom('accounts').where('id', '=', a.id).execute();
  await audit(db, op, { action: 'remove', entity: 'account', key: a.external_id, before: { ...before, contacts_removed: a.contacts } });
  return before;
}
