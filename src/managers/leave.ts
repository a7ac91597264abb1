/**
 * Leaves: from `from_date` through `until_date` (inclusive; open-ended when null) everything addressed
 * to the manager goes to the backup. `return` ends the leave the day before the as-of date.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { RefusedError, invalid } from '../errors.js';
import { addDays, deriveDate } from '../lib/dates.js';
import type { Op } from '../op.js';
import { getManager } from './lookup.js';

export interface LeaveRecord {
  login: string;
  backup_login: string;
  from_date: string;
  until_date: string | null;
}

function covering(db: Kysely<DB>, date: string) {
  return db
    .selectFrom('manager_leaves as l')
    .innerJoin('managers as b', 'b.id', 'l.backup_id')
    .innerJoin('managers as m', 'm.id', 'l.manager_id')
    .select(['l.id', 'l.manager_id', 'l.backup_id', 'l.from_date', 'l.until_date', 'b.login as backup_login', 'm.login as login'])
    .where('l.from_date', '<=', date)
    .where((eb) => eb.or([eb('l.until_date', 'is', null), eb('l.until_date', '>=', date)]));
}

export async function currentLeave(db: Kysely<DB>, managerId: number, date: string) {
  return covering(db, date).where('l.manager_id', '=', managerId).executeTakeFirst();
}

/** Ids of the managers whom a leave covers on the date (one query for a whole list). */
/** The status shown for a manager: an active one whom a leave covers on the day is on_leave. */
export function displayedStatus(stored: string, onLeave: boolean): string {
  return stored === 'active' && onLeave ? 'on_leave' : stored;
}

export async function managersOnLeave(db: Kysely<DB>, date: string): Promise<Map<number, number>> {
  const rows = await covering(db, date).execute();
  return new Map(rows.map((r) => [r.manager_id, r.backup_id]));
}

/**
 * Who may be the backup of a leave: not the manager on leave, not an inactive manager. Shared by `leave` and
 * by `remove --reassign-to`, which hands the removed manager's backup duties over (`field` names the option).
 */
export function checkBackup(
  manager: { id: number; login: string },
  backup: { id: number; login: string; status: string },
  field: string,
  given: string,
): void {
  if (backup.id === manager.id) throw invalid(field, given, `a manager cannot be their own backup (${manager.login}'s leave)`);
  if (backup.status === 'inactive') throw new RefusedError(`backup ${backup.login} is inactive`);
}

/** The leaves, current or to come on the date, that name the manager as their backup. */
export function backupDuties(db: Kysely<DB>, backupId: number, date: string) {
  return db
    .selectFrom('manager_leaves as l')
    .innerJoin('managers as m', 'm.id', 'l.manager_id')
    .select(['l.id', 'l.manager_id', 'm.login', 'l.from_date', 'l.until_date'])
    .where('l.backup_id', '=', backupId)
    .where((eb) => eb.or([eb('l.until_date', 'is', null), eb('l.until_date', '>=', date)]))
    .orderBy('m.login')
    .orderBy('l.from_date')
    .execute();
}

export interface LeaveInput {
  backup: string;
  from?: string;
  until?: string;
}

export async function startLeave(db: Kysely<DB>, op: Op, login: string, input: LeaveInput): Promise<LeaveRecord> {
  const manager = await getManager(db, login);
  const backup = await getManager(db, input.backup);
  const from = input.from ?? op.asOf;
  const until = input.until ?? null;
  checkBackup(manager, backup, 'backup', input.backup);
  if (until !== null && until < from) throw invalid('until', until, `is before the leave starts (${from})`);
  const overlapping = await db
    .selectFrom('manager_leaves')
    .select(['from_date', 'until_date'])
    .where('manager_id', '=', manager.id)
    .where((eb) => eb.or([eb('until_date', 'is', null), eb('until_date', '>=', from)]))
    .$if(until !== null, (q) => q.where('from_date', '<=', until!))
    .executeTakeFirst();
  if (overlapping) {
    throw new RefusedError(
      `${manager.login} already has a leave from ${overlapping.from_date} until ${overlapping.until_date ?? 'further notice'}`,
      `end it first with: acctmgr managers return ${manager.login}`,
    );
  }
  await db
    .insertInto('manager_leaves')
    .values({ manager_id: manager.id, backup_id: backup.id, from_date: from, until_date: until, created_at: op.now })
    .execute();
  const record = { login: manager.login, backup_login: backup.login, from_date: from, until_date: until };
  await audit(db, op, { action: 'leave', entity: 'manager', key: manager.login, after: record });
  return record;
}

/** Ends every leave of the manager that covers the as-of date or starts later. */
export async function endLeave(db: Kysely<DB>, op: Op, login: string): Promise<number> {
  const manager = await getManager(db, login);
  const open = await db
    .selectFrom('manager_leaves')
    .selectAll()
    .where('manager_id', '=', manager.id)
    .where((eb) => eb.or([eb('until_date', 'is', null), eb('until_date', '>=', op.asOf)]))
    .execute();
  if (open.length === 0 && manager.status !== 'on_leave') {
    throw new RefusedError(`${manager.login} is not on leave on ${op.asOf}`);
  }
  const yesterday = deriveDate('as_of', op.asOf, 'the day before', () => addDays(op.asOf, -1));
  for (const leave of open) {
    if (leave.from_date > yesterday) await db.deleteFrom('manager_leaves').where('id', '=', leave.id).execute();
    else await db.updateTable('manager_leaves').set({ until_date: yesterday }).where('id', '=', leave.id).execute();
  }
  if (manager.status === 'on_leave') {
    await db.updateTable('managers').set({ status: 'active', updated_at: op.now }).where('id', '=', manager.id).execute();
  }
  await audit(db, op, {
    action: 'return',
    entity: 'manager',
    key: manager.login,
    before: { leaves: open.length },
    after: { returned_on: op.asOf },
  });
  return open.length;
}

export interface Recipient {
  id: number;
  login: string;
  name: string;
  email: string;
}

/**
 * Who receives what is addressed to a manager on a date: the manager, or while a leave covers the date
 * their backup; if the backup is on leave too, the backup's backup (one level at most).
 */
export async function resolveRecipient(db: Kysely<DB>, managerId: number, date: string): Promise<Recipient> {
  let id = managerId;
  for (let hop = 0; hop < 2; hop++) {
    const leave = await currentLeave(db, id, date);
    if (!leave) break;
    id = leave.backup_id;
  }
  return db.selectFrom('managers').select(['id', 'login', 'name', 'email']).where('id', '=', id).executeTakeFirstOrThrow();
}
