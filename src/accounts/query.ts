/** Reading accounts: the filtered, sorted list and the detailed `show`. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { checkFilter } from '../lib/checks.js';
import { getManager } from '../managers/lookup.js';
import { ACCOUNT_FIELDS } from './fields.js';
import { getGroup } from './groups.js';
import { getAccount } from './lookup.js';
import { accountQuery, toRecords, type AccountRecord } from './record.js';
import { subAccounts } from './refs.js';

/** `--sort` accepts every account field name. */
export const ACCOUNT_SORT_KEYS = ACCOUNT_FIELDS.map((f) => f.name);

const SORT_COLUMN: Record<string, string> = {
  group: 'g.name',
  parent_external_id: 'p.external_id',
  manager_login: 'm.login',
  student_count: 'a.student_count',
};

export interface AccountFilter {
  manager?: string;
  type?: string;
  status?: string;
  group?: string;
  /** case-insensitive substring of name, external_id or registration_no */
  search?: string;
  sort?: string;
  desc?: boolean;
  limit?: number;
}

const fieldSpec = (name: string) => ACCOUNT_FIELDS.find((f) => f.name === name)!;

export async function listAccounts(db: Kysely<DB>, _op: Op, f: AccountFilter = {}): Promise<AccountRecord[]> {
  let q = accountQuery(db);
  if (f.manager !== undefined) q = q.where('a.manager_id', '=', (await getManager(db, f.manager)).id);
  if (f.group !== undefined) q = q.where('a.group_id', '=', (await getGroup(db, f.group)).id);
  const type = checkFilter(fieldSpec('type'), f.type);
  const status = checkFilter(fieldSpec('status'), f.status);
  if (type !== undefined) q = q.where('a.type', '=', type);
  if (status !== undefined) q = q.where('a.status', '=', status);
  const sort = checkFilter({ name: 'sort', type: 'enum', values: ACCOUNT_SORT_KEYS }, f.sort) ?? 'external_id';
  checkFilter({ name: 'limit', type: 'int', min: 1 }, f.limit);
  const col = sql.ref(SORT_COLUMN[sort] ?? `a.${sort}`);
  const dir = f.desc ? 'desc' : 'asc';
  // text sorts ignore (ASCII) case; the external id breaks ties so the order is stable
  q = q.orderBy(sort === 'student_count' ? col : sql`lower(${col})`, dir).orderBy(sql`lower(a.external_id)`, dir);
  const search = f.search?.trim().toLocaleLowerCase();
  // SQLite's lower() and LIKE fold ASCII only; the search runs here so "училище" finds "Училище"
  if (f.limit !== undefined && !search) q = q.limit(f.limit);
  let rows = await q.execute();
  if (search) {
    const hit = (v: string | null) => v !== null && v.toLocaleLowerCase().includes(search);
    rows = rows.filter((r) => hit(r.name) || hit(r.external_id) || hit(r.registration_no));
    if (f.limit !== undefined) rows = rows.slice(0, f.limit);
  }
  return toRecords(db, rows);
}

export interface AccountDetails extends AccountRecord {
  parent_name: string | null;
  manager_name: string | null;
  manager_email: string | null;
  manager_phone: string | null;
  manager_mobile: string | null;
  sub_accounts: { external_id: string; name: string; type: string; status: string }[];
  /** contacts that are not removed */
  contact_count: number;
}

export async function showAccount(db: Kysely<DB>, _op: Op, externalId: string): Promise<AccountDetails> {
  const account = await getAccount(db, externalId);
  const row = await accountQuery(db)
    .select(['p.name as parent_name', 'm.name as manager_name', 'm.email as manager_email', 'm.phone as manager_phone', 'm.mobile as manager_mobile'])
    .where('a.id', '=', account.id)
    .executeTakeFirstOrThrow();
  const [record] = await toRecords(db, [row]);
  const contacts = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', account.id)
    .where('status', '!=', 'removed')
    .executeTakeFirstOrThrow();
  return {
    ...record!,
    parent_name: row.parent_name ?? null,
    manager_name: row.manager_name ?? null,
    manager_email: row.manager_email ?? null,
    manager_phone: row.manager_phone ?? null,
    manager_mobile: row.manager_mobile ?? null,
    sub_accounts: await subAccounts(db, account.id),
    contact_count: Number(contacts.n),
  };
}
