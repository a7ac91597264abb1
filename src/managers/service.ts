/**
 * Managers: the people who look after accounts and subscriptions. Plain functions over Kysely; the
 * caller owns the transaction. Logins and emails are stored lower-case and compared as keys
 * (src/lib/keys.ts).
 */
import type { Kysely } from '#kysely';
import { audit, audited } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import type { ManagerRow } from '../db/schema/managers.js';
import { RefusedError, conflict } from '../errors.js';
import { checkFields, checkFilter, refuseCleared, requirePresent } from '../lib/checks.js';
import { withDefaults } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { takenProblem, UNIQUE_MANAGER_FIELDS } from './checks.js';
import { MANAGER_FIELDS } from './fields.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';
import { currentLeave, displayedStatus, managersOnLeave } from './leave.js';
import { getManager } from './lookup.js';

export { findManager, getManager } from './lookup.js';

export interface ManagerRecord {
  login: string;
  name: string;
  email: string;
  employee_id: string | null;
  phone: string | null;
  mobile: string | null;
  region: string | null;
  status: string;
  has_password: boolean;
}

export function toManagerRecord(row: ManagerRow): ManagerRecord {
  return {
    login: row.login,
    name: row.name,
    email: row.email,
    employee_id: row.employee_id,
    phone: row.phone,
    mobile: row.mobile,
    region: row.region,
    status: row.status,
    has_password: row.password_hash !== null,
  };
}

/** Logins and emails compare as keys (a login is its own fold; an email by its email_key). */
async function assertUnique(db: Kysely<DB>, values: Record<string, unknown>, exceptId?: number): Promise<void> {
  for (const field of UNIQUE_MANAGER_FIELDS) {
    const v = values[field];
    if (v === null || v === undefined) continue;
    const column = field === 'email' ? 'email_key' : field;
    let q = db
      .selectFrom('managers')
      .select(['login'])
      .where(column, '=', field === 'employee_id' ? (v as string) : foldKey(v as string));
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    const other = await q.executeTakeFirst();
    if (other) throw conflict(takenProblem(field, v, other.login));
  }
}

export async function addManager(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<ManagerRecord> {
  const given = checkFields(MANAGER_FIELDS, input);
  requirePresent(MANAGER_FIELDS, given);
  const values = withDefaults(MANAGER_FIELDS, given);
  await assertUnique(db, values);
  const row = await db
    .insertInto('managers')
    .values({
      login: values.login as string,
      name: values.name as string,
      email: values.email as string,
      email_key: foldKey(values.email as string),
      employee_id: (values.employee_id as string | null) ?? null,
      phone: (values.phone as string | null) ?? null,
      mobile: (values.mobile as string | null) ?? null,
      region: (values.region as string | null) ?? null,
      status: values.status as string,
      password_hash: null,
      created_at: op.now,
      updated_at: op.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'add', entity: 'manager', key: row.login }, toManagerRecord(row));
}

/** Changes the given fields; an empty value clears an optional field. */
export async function editManager(db: Kysely<DB>, op: Op, login: string, input: Record<string, unknown>): Promise<ManagerRecord> {
  const row = await getManager(db, login);
  const values = checkFields(MANAGER_FIELDS, input);
  refuseCleared(MANAGER_FIELDS, values);
  await assertUnique(db, values, row.id);
  const before = toManagerRecord(row);
  // an edit that changes nothing writes nothing: no updated_at, no rev (import undo stays possible), no audit
  const stored = row as unknown as Record<string, unknown>;
  if (Object.entries(values).every(([k, v]) => (stored[k] ?? null) === v)) return before;
  const keys = typeof values.email === 'string' ? { email_key: foldKey(values.email) } : {};
  const updated = await db
    .updateTable('managers')
    .set({ ...(values as Record<string, string | null>), ...keys, updated_at: op.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'edit', entity: 'manager', key: updated.login, before }, toManagerRecord(updated));
}

const fieldSpec = (name: string) => MANAGER_FIELDS.find((f) => f.name === name)!;

export interface ManagerFilter {
  region?: string;
  status?: string;
}

export async function listManagers(db: Kysely<DB>, op: Op, f: ManagerFilter = {}): Promise<ManagerRecord[]> {
  const status = checkFilter(fieldSpec('status'), f.status);
  let q = db.selectFrom('managers').selectAll().orderBy('login');
  if (f.region) q = q.where('region', '=', f.region);
  const rows = await q.execute();
  const onLeave = await managersOnLeave(db, op.asOf);
  const records = rows.map((r) => displayed(r, onLeave.has(r.id)));
  return status ? records.filter((r) => r.status === status) : records;
}

/** The stored status, except that an active manager whom a leave covers on the as-of date shows on_leave. */
function displayed(row: ManagerRow, onLeave: boolean): ManagerRecord {
  const record = toManagerRecord(row);
  record.status = displayedStatus(record.status, onLeave);
  return record;
}

export interface ManagerDetails extends ManagerRecord {
  leave: { backup_login: string; from_date: string; until_date: string | null } | null;
  account_count: number;
  accounts: { external_id: string; name: string; type: string; status: string }[];
}

export async function showManager(db: Kysely<DB>, op: Op, login: string): Promise<ManagerDetails> {
  const row = await getManager(db, login);
  const accounts = await db
    .selectFrom('accounts')
    .select(['external_id', 'name', 'type', 'status'])
    .where('manager_id', '=', row.id)
    .orderBy('external_id')
    .execute();
  const leave = await currentLeave(db, row.id, op.asOf);
  return {
    ...displayed(row, leave !== undefined),
    leave: leave ? { backup_login: leave.backup_login, from_date: leave.from_date, until_date: leave.until_date } : null,
    account_count: accounts.length,
    accounts,
  };
}

/** Hashes and stores the password (in the current hash form, whatever the old one was); the record after. */
export async function setPassword(db: Kysely<DB>, op: Op, login: string, password: string): Promise<ManagerRecord> {
  const row = await getManager(db, login);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new RefusedError(`password too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const hash = await hashPassword(password);
  const updated = await db
    .updateTable('managers')
    .set({ password_hash: hash, updated_at: op.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // the audit row records that it changed, never the hash or the password
  await audit(db, op, { action: 'set-password', entity: 'manager', key: row.login });
  return toManagerRecord(updated);
}
