/**
 * `acctmgr doctor`: the checks a team lead runs on Monday morning. Each finding names the record and
 * the command that fixes it. Read-only; crosses every domain, hence a composite.
 */
import type { Kysely } from '#kysely';
import { needsManager } from '../accounts/rules.js';
import type { DbHandle } from '../db/connection.js';
import { checkDatabase } from '../db/maintenance.js';
import { seatsOfRemovedContacts } from '../db/seat-accounts.js';
import type { DB } from '../db/schema/index.js';
import { addDays } from '../lib/dates.js';
import { currentLeave, managersOnLeave } from '../managers/leave.js';
import { loadRecipients } from '../remind/recipients.js';

export const DOCTOR_CHECKS = [
  'account_without_manager',
  'notice_without_recipient',
  'backup_unavailable',
  'legacy_plan_renewal',
  'notice_in_doubt',
  'seat_of_removed_contact',
  'database',
] as const;
export type DoctorCheck = (typeof DOCTOR_CHECKS)[number];

export interface Finding {
  check: DoctorCheck;
  /** the record: an account's external id, a subscription's, a manager's login, a notice id … */
  record: string;
  problem: string;
  fix: string;
}

/** How far ahead a renewal on a legacy plan is worth a look. */
export const LEGACY_RENEWAL_DAYS = 42;

export async function runDoctor(h: DbHandle, asOf: string): Promise<Finding[]> {
  const db = h.db;
  // the database check first: on a damaged file the other checks' queries may stop at the damage ("database
  // disk image is malformed"), and then the database finding, with what to do, is what doctor reports
  const database = await databaseCheck(h);
  const checks = [
    () => accountsWithoutManager(db),
    () => noticesWithoutRecipient(db, asOf),
    () => backupsUnavailable(db, asOf),
    () => legacyRenewals(db, asOf),
    () => noticesInDoubt(db),
    () => removedContactsSeats(db),
  ];
  const found: Finding[] = [];
  for (const check of checks) {
    try {
      found.push(...(await check()));
    } catch (e) {
      if (!database.damaged) throw e;
    }
  }
  return [...found, ...database.findings];
}

async function accountsWithoutManager(db: Kysely<DB>): Promise<Finding[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(['external_id', 'type'])
    .where('manager_id', 'is', null)
    .where('status', '!=', 'deactivated')
    .orderBy('external_id_key')
    .execute();
  return rows
    .filter((a) => needsManager(a.type))
    .map((a) => ({
      check: 'account_without_manager',
      record: a.external_id,
      problem: `a ${a.type} account without a manager`,
      fix: `acctmgr accounts assign ${a.external_id} LOGIN`,
    }));
}

/** Subscriptions still in their reminder window whose notices would reach nobody (as remind resolves them). */
async function noticesWithoutRecipient(db: Kysely<DB>, asOf: string): Promise<Finding[]> {
  const recipients = await loadRecipients(db, asOf);
  const subs = await db
    .selectFrom('subscriptions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.external_id', 's.manager_id', 's.account_id', 'a.external_id as account'])
    .where('s.status', '!=', 'cancelled')
    .where('s.end_date', '>=', addDays(asOf, -LEGACY_RENEWAL_DAYS))
    .orderBy('s.external_id_key')
    .execute();
  const out: Finding[] = [];
  for (const s of subs) {
    const to = recipients.resolve(s, 'renewal');
    if (typeof to !== 'string') continue;
    out.push({
      check: 'notice_without_recipient',
      record: s.external_id,
      problem: `its notices have no recipient: ${to}`,
      fix: `acctmgr contacts edit EMAIL --account-external-id ${s.account} --is-primary (or add a primary contact)`,
    });
  }
  return out;
}

async function backupsUnavailable(db: Kysely<DB>, asOf: string): Promise<Finding[]> {
  const leaves = await managersOnLeave(db, asOf);
  if (leaves.size === 0) return [];
  const managers = new Map((await db.selectFrom('managers').select(['id', 'login', 'status']).execute()).map((m) => [m.id, m]));
  const out: Finding[] = [];
  for (const [managerId, backupId] of leaves) {
    const m = managers.get(managerId)!;
    const b = managers.get(backupId)!;
    const why = leaves.has(backupId) ? 'is on leave too' : b.status !== 'active' ? `is ${b.status}` : undefined;
    if (!why) continue;
    // a leave covers the day, so a new one from it overlaps: it is ended first (the day before), then
    // started again from the day with another backup and the same end
    const until = (await currentLeave(db, managerId, asOf))?.until_date;
    out.push({
      check: 'backup_unavailable',
      record: m.login,
      problem: `on leave on ${asOf}; the backup ${b.login} ${why}`,
      fix:
        `acctmgr managers return ${m.login} --as-of ${asOf} && ` +
        `acctmgr managers leave ${m.login} --backup LOGIN --from ${asOf}${until ? ` --until ${until}` : ''}`,
    });
  }
  return out.sort((a, b) => (a.record < b.record ? -1 : a.record > b.record ? 1 : 0));
}

async function legacyRenewals(db: Kysely<DB>, asOf: string): Promise<Finding[]> {
  const rows = await db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select(['s.external_id', 's.end_date', 'p.code'])
    .where('p.legacy', '=', 1)
    .where('s.status', '!=', 'cancelled')
    .where('s.end_date', '>=', asOf)
    .where('s.end_date', '<=', addDays(asOf, LEGACY_RENEWAL_DAYS))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('subscriptions as n').select('n.id').whereRef('n.renewed_from_id', '=', 's.id'))))
    .orderBy('s.end_date')
    .orderBy('s.external_id_key')
    .execute();
  return rows.map((s) => ({
    check: 'legacy_plan_renewal',
    record: s.external_id,
    problem: `ends ${s.end_date} on the retired plan ${s.code}: it cannot renew on it`,
    fix: `acctmgr subscriptions renew ${s.external_id} --plan CURRENT_PLAN`,
  }));
}

async function noticesInDoubt(db: Kysely<DB>): Promise<Finding[]> {
  const rows = await db.selectFrom('notices').select(['id', 'kind', 'stage']).where('status', '=', 'in_doubt').orderBy('id').execute();
  return rows.map((n) => ({
    check: 'notice_in_doubt',
    record: String(n.id),
    problem: `${/^[aeiou]/.test(n.kind) ? 'an' : 'a'} ${n.kind} notice (${n.stage}) may or may not have reached the mail server`,
    fix: `check the mail server's log, then: acctmgr notices settle ${n.id} --as sent|unsent`,
  }));
}

async function removedContactsSeats(db: Kysely<DB>): Promise<Finding[]> {
  const rows = await seatsOfRemovedContacts(db);
  return rows.map((r) => ({
    check: 'seat_of_removed_contact',
    record: `${r.external_id}/${r.email}`,
    problem: `the contact ${r.email} is removed but keeps a seat on ${r.external_id}`,
    fix: `acctmgr seats remove ${r.email} --subscription ${r.external_id}`,
  }));
}

async function databaseCheck(h: DbHandle): Promise<{ findings: Finding[]; damaged: boolean }> {
  const report = await checkDatabase(h);
  if (report.ok) return { findings: [], damaged: false };
  const problems = [
    ...(report.integrity.length === 1 && report.integrity[0] === 'ok' ? [] : [`integrity: ${report.integrity.slice(0, 3).join('; ')}`]),
    ...(report.foreign_key_violations.length ? [`${report.foreign_key_violations.length} foreign key violation(s)`] : []),
    ...(report.key_mismatches.length ? [`${report.key_mismatches.length} stored key(s) out of step`] : []),
    ...(report.last_logins_behind.length
      ? [`${report.last_logins_behind.length} seat(s) with last_login_at behind their login events`]
      : []),
    ...(report.duplicate_keys.length ? [`${report.duplicate_keys.length} key(s) held by more than one row`] : []),
    ...(report.seats_of_other_accounts.length
      ? [`${report.seats_of_other_accounts.length} seat(s) whose contact is of another account than the subscription`]
      : []),
  ];
  const damaged = !(report.integrity.length === 1 && report.integrity[0] === 'ok');
  const findings: Finding[] = [
    {
      check: 'database',
      record: h.path,
      problem: problems.join('; '),
      fix:
        'acctmgr db check (details), then acctmgr db repair-keys or restore a backup' +
        (report.last_logins_behind.length ? '; a seat behind its logins: acctmgr seats login EMAIL --subscription SUB --at LATEST' : '') +
        (report.seats_of_other_accounts.length
          ? "; a seat of another account's contact: acctmgr seats remove EMAIL --subscription SUB"
          : ''),
    },
  ];
  return { findings, damaged };
}
