/**
 * Moving a manager's holdings (accounts, and the subscriptions they manage) to another manager, and
 * removing a manager: managers, accounts and subscriptions together. The caller runs these in one
 * transaction.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit, auditAll, auditEach } from '../audit/audit.js';
import { chunked } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import { RefusedError, invalid } from '../errors.js';
import { recordManagerChanges } from '../managers/changes.js';
import { backupDuties, checkBackup } from '../managers/leave.js';
import { getManager } from '../managers/lookup.js';
import { toManagerRecord } from '../managers/service.js';
import type { Op } from '../op.js';
import { moveSubscriptions } from '../subscriptions/move.js';

export interface Holdings {
  accounts: string[];
  /** External ids of the subscriptions they manage (every one, whatever its status: each references them). */
  subscriptions: string[];
  /** Logins of the managers whose current or future leave names this one as backup. */
  backup_for: string[];
}

export async function holdings(db: Kysely<DB>, managerId: number, asOf: string): Promise<Holdings> {
  const accounts = await db
    .selectFrom('accounts')
    .select('external_id')
    .where('manager_id', '=', managerId)
    .orderBy('external_id')
    .execute();
  const subscriptions = await db
    .selectFrom('subscriptions')
    .select('external_id')
    .where('manager_id', '=', managerId)
    .orderBy('external_id')
    .execute();
  const backupFor = await backupDuties(db, managerId, asOf);
  return {
    accounts: accounts.map((a) => a.external_id),
    subscriptions: subscriptions.map((x) => x.external_id),
    backup_for: [...new Set(backupFor.map((b) => b.login))],
  };
}

/**
 * The history that names a manager, which a removal would have to rewrite (the foreign keys refuse it: the
 * message was "a record is still referenced by others"): ended leaves it was the backup of, and activities,
 * requests and trainings. Counted, in words.
 */
async function historyNaming(db: Kysely<DB>, managerId: number): Promise<string[]> {
  const count = async (table: 'manager_leaves' | 'activities' | 'requests' | 'trainings', columns: string[]) => {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where((eb) => eb.or(columns.map((c) => eb(eb.ref(c as 'id'), '=', managerId))))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const found: [number, string, string][] = [
    [await count('manager_leaves', ['backup_id']), 'ended leave', 'ended leaves'],
    [await count('activities', ['manager_id']), 'activity', 'activities'],
    [await count('requests', ['created_by_id']), 'request', 'requests'],
    [await count('trainings', ['manager_id', 'expert_id']), 'training', 'trainings'],
  ];
  return found.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
}

export interface ReassignResult {
  from: string;
  to: string;
  accounts: string[];
  subscriptions: string[];
}

/**
 * Moves FROM's accounts (all, or only the named ones, which FROM must hold) to TO, and the
 * subscriptions FROM manages (all of them, or those on the named accounts).
 */
export async function reassign(
  db: Kysely<DB>,
  op: Op,
  fromLogin: string,
  toLogin: string,
  onlyAccounts: readonly string[] = [],
): Promise<ReassignResult> {
  const from = await getManager(db, fromLogin);
  const to = await getManager(db, toLogin);
  if (from.id === to.id) throw invalid('to', toLogin, 'is the same manager as from');
  const accounts = onlyAccounts.length > 0 ? await namedAccounts(db, onlyAccounts, from) : await heldAccounts(db, from.id);
  if (accounts.length > 0) {
    const ids = accounts.map((a) => a.id);
    for (const chunk of chunked(ids))
      await db.updateTable('accounts').set({ manager_id: to.id, updated_at: op.now }).where('id', 'in', chunk).execute();
    await recordManagerChanges(
      db,
      op,
      ids.map((id) => ({ account_id: id, from_manager_id: from.id })),
      to.id,
      'reassign',
    );
  }
  const change = { before: { manager_login: from.login }, after: { manager_login: to.login } };
  await auditEach(
    db,
    op,
    accounts.map((a) => a.external_id),
    { action: 'reassign', entity: 'account', ...change },
  );
  const subscriptions = await moveSubscriptions(db, op, from, to, onlyAccounts.length > 0 ? accounts.map((a) => a.id) : undefined);
  return { from: from.login, to: to.login, accounts: accounts.map((a) => a.external_id), subscriptions };
}

function heldAccounts(db: Kysely<DB>, managerId: number) {
  return db.selectFrom('accounts').select(['id', 'external_id']).where('manager_id', '=', managerId).orderBy('external_id').execute();
}

/** The named accounts (looked up one by one: a handful, not the whole table), each held by FROM. */
async function namedAccounts(db: Kysely<DB>, keys: readonly string[], from: { id: number; login: string }) {
  const out = new Map<number, { id: number; external_id: string }>();
  for (const key of keys) {
    const a = await getAccount(db, key);
    if (a.manager_id !== from.id) throw new RefusedError(`account ${a.external_id} is not held by ${from.login}`);
    out.set(a.id, { id: a.id, external_id: a.external_id });
  }
  return [...out.values()].sort((x, y) => (x.external_id < y.external_id ? -1 : 1));
}

/**
 * Removes a manager. Refused while they hold accounts or subscriptions or are someone's current backup, unless
 * `reassignTo` names who takes everything over (and the backup duties).
 */
export async function removeManager(db: Kysely<DB>, op: Op, login: string, reassignTo?: string): Promise<void> {
  const manager = await getManager(db, login);
  const held = await holdings(db, manager.id, op.asOf);
  if (reassignTo) {
    const to = await getManager(db, reassignTo);
    // the backup duties handed over follow the rule of a leave, checked before anything changes
    const duties = await backupDuties(db, manager.id, op.asOf);
    for (const d of duties) checkBackup({ id: d.manager_id, login: d.login }, to, 'reassign_to', reassignTo);
    await reassign(db, op, manager.login, to.login);
    // ended leaves too: their backup must name a manager who still exists
    await db.updateTable('manager_leaves').set({ backup_id: to.id }).where('backup_id', '=', manager.id).execute();
    await auditAll(
      db,
      op,
      duties.map((d) => {
        const leave = { from_date: d.from_date, until_date: d.until_date };
        return {
          action: 'backup',
          entity: 'manager',
          key: d.login,
          before: { backup_login: manager.login, ...leave },
          after: { backup_login: to.login, ...leave },
        };
      }),
    );
  } else if (held.accounts.length > 0 || held.subscriptions.length > 0 || held.backup_for.length > 0) {
    const parts = [];
    if (held.accounts.length > 0) parts.push(`holds ${held.accounts.length} account(s): ${held.accounts.slice(0, 10).join(', ')}`);
    if (held.subscriptions.length > 0) {
      parts.push(`manages ${held.subscriptions.length} subscription(s): ${held.subscriptions.slice(0, 10).join(', ')}`);
    }
    if (held.backup_for.length > 0) parts.push(`is the backup of ${held.backup_for.join(', ')}`);
    throw new RefusedError(`manager ${manager.login} ${parts.join(' and ')}`, 'give --reassign-to LOGIN to hand everything over');
  }
  const history = await historyNaming(db, manager.id);
  if (history.length > 0)
    throw new RefusedError(
      `manager ${manager.login} is named by ${history.join(', ')}: history keeps its manager, so it cannot be removed`,
      `set it inactive instead: acctmgr managers edit ${manager.login} --status inactive`,
    );
  await db.deleteFrom('manager_leaves').where('manager_id', '=', manager.id).execute();
  await db.deleteFrom('managers').where('id', '=', manager.id).execute();
  await audit(db, op, { action: 'remove', entity: 'manager', key: manager.login, before: toManagerRecord(manager) });
}
