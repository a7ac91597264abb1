/**
 * Account groups: a name (spelling kept, compared as a key: src/lib/keys.ts) that accounts may belong
 * to. Naming a group that does not exist creates it, audited, from the command line and from imports
 * alike.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { GroupRow } from '../db/schema/account-groups.js';
import type { DB } from '../db/schema/index.js';
import { ConflictError, NotFoundError, invalid } from '../errors.js';
import { coerce } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';

export interface GroupRecord {
  name: string;
  account_count: number;
}

/** A group name as given, checked as a key. */
function cleanName(field: string, name: string): string {
  const r = coerce({ name: field, type: 'key' }, name);
  if (!r.ok) throw invalid(field, name, r.rule);
  if (r.value === null) throw invalid(field, name, 'is required');
  return r.value as string;
}

async function findGroup(db: Kysely<DB>, name: string): Promise<GroupRow | undefined> {
  return db.selectFrom('account_groups').selectAll().where('name_key', '=', foldKey(name.trim())).executeTakeFirst();
}

export async function getGroup(db: Kysely<DB>, name: string): Promise<GroupRow> {
  const row = await findGroup(db, name);
  if (!row) throw new NotFoundError('group', name, 'list groups with: acctmgr groups list');
  return row;
}

/** The group of that name, created (and audited) when it does not exist yet. */
export async function ensureGroup(db: Kysely<DB>, op: Op, name: string): Promise<GroupRow> {
  const existing = await findGroup(db, name);
  if (existing) return existing;
  const clean = cleanName('group', name);
  const row = await db
    .insertInto('account_groups')
    .values({ name: clean, name_key: foldKey(clean), created_at: op.now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(db, op, { action: 'add', entity: 'group', key: row.name, after: { name: row.name } });
  return row;
}

export async function addGroup(db: Kysely<DB>, op: Op, name: string): Promise<GroupRecord> {
  const clean = cleanName('name', name);
  const existing = await findGroup(db, clean);
  if (existing) throw new ConflictError(`group "${existing.name}" already exists`);
  const row = await ensureGroup(db, op, clean);
  return { name: row.name, account_count: 0 };
}

async function countAccounts(db: Kysely<DB>, groupId: number): Promise<number> {
  const r = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function showGroup(db: Kysely<DB>, _op: Op, name: string): Promise<GroupRecord> {
  const row = await getGroup(db, name);
  return { name: row.name, account_count: await countAccounts(db, row.id) };
}

export async function listGroups(db: Kysely<DB>, _op: Op): Promise<GroupRecord[]> {
  const rows = await db
    .selectFrom('account_groups as g')
    .leftJoin('accounts as a', 'a.group_id', 'g.id')
    .select(['g.name', (eb) => eb.fn.count<number>('a.id').as('n')])
    .groupBy(['g.id', 'g.name'])
    .orderBy('g.name_key')
    .execute();
  return rows.map((r) => ({ name: r.name, account_count: Number(r.n) }));
}

/** Renames a group; changing only the letter case of its own name is allowed. */
export async function renameGroup(db: Kysely<DB>, op: Op, name: string, newName: string): Promise<GroupRecord> {
  const row = await getGroup(db, name);
  const clean = cleanName('new_name', newName);
  const other = await findGroup(db, clean);
  if (other && other.id !== row.id) throw new ConflictError(`group "${other.name}" already exists`);
  // the same name (not a change of case): nothing to write or audit
  if (clean === row.name) return { name: clean, account_count: await countAccounts(db, row.id) };
  await db
    .updateTable('account_groups')
    .set({ name: clean, name_key: foldKey(clean) })
    .where('id', '=', row.id)
    .execute();
  await audit(db, op, { action: 'rename', entity: 'group', key: clean, before: { name: row.name }, after: { name: clean } });
  return { name: clean, account_count: await countAccounts(db, row.id) };
}

export interface RemoveGroupResult {
  name: string;
  /** external ids of the accounts that were in the group */
  accounts: string[];
  moved_to: string | null;
}

/**
 * Removes a group. Its accounts are kept: they move to `moveTo` (created when new) or are left without
 * a group. One audit row lists them, rather than one per account.
 */
export async function removeGroup(db: Kysely<DB>, op: Op, name: string, moveTo?: string): Promise<RemoveGroupResult> {
  const row = await getGroup(db, name);
  const target = moveTo === undefined || moveTo.trim() === '' ? undefined : await ensureGroup(db, op, moveTo);
  if (target?.id === row.id) throw invalid('move_to', moveTo, 'is the group being removed');
  const accounts = await db.selectFrom('accounts').select('external_id').where('group_id', '=', row.id).orderBy('external_id').execute();
  await db
    .updateTable('accounts')
    .set({ group_id: target?.id ?? null, updated_at: op.now })
    .where('group_id', '=', row.id)
    .execute();
  await db.deleteFrom('account_groups').where('id', '=', row.id).execute();
  const result = { name: row.name, accounts: accounts.map((a) => a.external_id), moved_to: target?.name ?? null };
  await audit(db, op, { action: 'remove', entity: 'group', key: row.name, before: { name: row.name }, after: result });
  return result;
}
