/** Reading accounts: the filtered, sorted list and the detailed `show`. */
import { sql, type Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { activityKey } from '../activities/rules.js';
import { listTrainings } from '../trainings/list.js';
import { checkDate, checkFilter } from '../lib/checks.js';
import { foldKey } from '../lib/keys.js';
import { getManager } from '../managers/lookup.js';
import { ACCOUNT_FIELDS, ACCOUNT_SORT_KEYS } from './fields.js';
import { nullsAsSqlite } from '../db/text.js';
import { getGroup } from './groups.js';
import { getAccount } from './lookup.js';
import { accountJoins, accountQuery, toRecords, type AccountRecord } from './record.js';
import { loadFieldDefs } from './custom-fields.js';
import type { CustomFieldDef } from './rules.js';
import { arrayBatches, collect } from '../db/rows.js';
import { subAccounts } from './refs.js';

/** Sorts SQL can do: keys by their stored folds, logins, enum values, numbers. Other text: sortByFold. */
const SORT_COLUMN: Record<string, string> = {
  external_id: 'a.external_id_key',
  group: 'g.name_key',
  parent_external_id: 'p.external_id_key',
  manager_login: 'm.login',
  type: 'a.type',
  status: 'a.status',
  student_count: 'a.student_count',
  customer_emails: 'a.customer_emails',
};

export interface AccountFilter {
  manager?: string;
  type?: string;
  status?: string;
  group?: string;
  /** a substring of name, external_id or registration_no, compared by their folds */
  search?: string;
  sort?: string;
  desc?: boolean;
  limit?: number;
  /** only accounts with no done activity on or after this day (UTC): the neglected ones */
  inactiveSince?: string;
}

const fieldSpec = (name: string) => ACCOUNT_FIELDS.find((f) => f.name === name)!;

export async function listAccounts(db: Kysely<DB>, op: Op, f: AccountFilter = {}): Promise<AccountRecord[]> {
  return collect(await accountBatches(db, op, f));
}

/**
 * The filtered, sorted accounts a batch at a time (`accounts list` writes each as it comes): first the ids
 * in their order (a number each; for a search or a text sort, each account's fold too, until sorted), then
 * the records ID_BATCH ids at a time (one query for the accounts, one for their custom field values). A bad
 * filter is refused before the first batch. An account removed between the two is left out.
 */
export async function accountBatches(db: Kysely<DB>, _op: Op, f: AccountFilter = {}): Promise<AsyncIterable<AccountRecord[]>> {
  const ids = await accountOrder(db, f);
  const defs = await loadFieldDefs(db);
  return recordsOf(db, ids, defs);
}

async function* recordsOf(db: Kysely<DB>, ids: readonly number[], defs: readonly CustomFieldDef[]): AsyncGenerator<AccountRecord[]> {
  for (let i = 0; i < ids.length; i += ID_BATCH) {
    const chunk = ids.slice(i, i + ID_BATCH);
    const byId = new Map((await accountQuery(db).where('a.id', 'in', chunk).execute()).map((r) => [r.id, r]));
    const rows = chunk.flatMap((id) => byId.get(id) ?? []);
    yield toRecords(db, rows, defs);
  }
}

/**
 * Accounts read by a list of ids at a time: over 100,000 accounts on PostgreSQL 250 took 1.05 s, 500 0.9 s, 1,000
 * 2.0 s (the planner's plan for a longer list is worse); SQLite the same for all three (0.72 s).
 */
const ID_BATCH = 500;

/** The ids of the accounts the filter keeps, in its order (checks the filter first). */
async function accountOrder(db: Kysely<DB>, f: AccountFilter): Promise<number[]> {
  let q = accountJoins(db).select('a.id');
  if (f.manager !== undefined) q = q.where('a.manager_id', '=', (await getManager(db, f.manager)).id);
  if (f.group !== undefined) q = q.where('a.group_id', '=', (await getGroup(db, f.group)).id);
  const type = checkFilter(fieldSpec('type'), f.type);
  const status = checkFilter(fieldSpec('status'), f.status);
  if (type !== undefined) q = q.where('a.type', '=', type);
  if (status !== undefined) q = q.where('a.status', '=', status);
  const since = checkDate('inactive_since', f.inactiveSince);
  if (since !== undefined) {
    q = q.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('activities as w')
            .select('w.id')
            .whereRef('w.account_id', '=', 'a.id')
            .where('w.status', '=', 'done')
            .where('w.at', '>=', `${since}T00:00:00Z`),
        ),
      ),
    );
  }
  const sort = checkFilter({ name: 'sort', type: 'enum', values: ACCOUNT_SORT_KEYS }, f.sort) ?? 'external_id';
  checkFilter({ name: 'limit', type: 'int', min: 1 }, f.limit);
  const column = SORT_COLUMN[sort];
  const dir = f.desc ? 'desc' : 'asc';
  // the external id breaks ties, so the order is stable
  if (column) q = q.orderBy(sql.ref(column), nullsAsSqlite(dir));
  q = q.orderBy('a.external_id_key', dir);
  // SQL has no Unicode fold: other text is sorted, and the search matched, by foldKey here
  const search = f.search === undefined ? '' : foldKey(f.search.trim());
  if (column !== undefined && search === '') {
    if (f.limit !== undefined) q = q.limit(f.limit);
    const ids: number[] = [];
    for await (const batch of arrayBatches<[number]>(db, q)) for (const [id] of batch) ids.push(Number(id));
    return ids;
  }
  const text = column === undefined ? (sort as TextSort) : undefined;
  const found: { id: number; k: string | null }[] = [];
  const hit = (v: string | null) => v !== null && foldKey(v).includes(search);
  const rows = q.select(['a.name', 'a.external_id', 'a.registration_no', ...(text ? [sql.ref<string | null>(`a.${text}`).as('k')] : [])]);
  for await (const batch of arrayBatches<[number, string, string, string | null, (string | null)?]>(db, rows)) {
    for (const [id, name, externalId, registrationNo, k] of batch) {
      if (search && !hit(name) && !hit(externalId) && !hit(registrationNo)) continue;
      found.push({ id: Number(id), k: text === undefined || k === null || k === undefined ? null : foldKey(k) });
    }
  }
  if (text) sortByFold(found, Boolean(f.desc));
  return (f.limit === undefined ? found : found.slice(0, f.limit)).map((r) => r.id);
}

type TextSort = 'name' | 'country' | 'region' | 'registration_no' | 'locale';

/** A stable sort by the folded text (empty first ascending, last descending, as SQL sorts null). */
function sortByFold(rows: { k: string | null }[], desc: boolean): void {
  const sign = desc ? -1 : 1;
  rows.sort((a, b) => sign * (a.k === b.k ? 0 : a.k === null ? -1 : b.k === null ? 1 : a.k < b.k ? -1 : 1));
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
  /** the latest done activity and the earliest planned one (the work log) */
  last_activity: ActivitySummary | null;
  next_activity: ActivitySummary | null;
  /** the account's trainings, by date (docs/trainings.md) */
  trainings: TrainingSummary[];
}

export interface TrainingSummary {
  id: string;
  dates: string[];
  topic: string;
  format: string | null;
  source: string;
  status: string;
}

export interface ActivitySummary {
  id: string;
  at: string;
  kind: string;
  subject: string;
  manager_login: string | null;
}

async function activityAt(db: Kysely<DB>, accountId: number, status: 'done' | 'planned'): Promise<ActivitySummary | null> {
  const dir = status === 'done' ? 'desc' : 'asc';
  const r = await db
    .selectFrom('activities as w')
    .leftJoin('managers as wm', 'wm.id', 'w.manager_id')
    .select(['w.number', 'w.at', 'w.kind', 'w.subject', 'wm.login'])
    .where('w.account_id', '=', accountId)
    .where('w.status', '=', status)
    .orderBy('w.at', dir)
    .orderBy('w.number', dir)
    .limit(1)
    .executeTakeFirst();
  return r ? { id: activityKey(r.number), at: r.at, kind: r.kind, subject: r.subject, manager_login: r.login } : null;
}

export async function showAccount(db: Kysely<DB>, _op: Op, externalId: string): Promise<AccountDetails> {
  const account = await getAccount(db, externalId);
  const row = await accountQuery(db)
    .select([
      'p.name as parent_name',
      'm.name as manager_name',
      'm.email as manager_email',
      'm.phone as manager_phone',
      'm.mobile as manager_mobile',
    ])
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
    last_activity: await activityAt(db, account.id, 'done'),
    next_activity: await activityAt(db, account.id, 'planned'),
    trainings: (await listTrainings(db, { account: account.external_id })).map((t) => ({
      id: t.id,
      dates: t.dates,
      topic: t.topic,
      format: t.format,
      source: t.source,
      status: t.status,
    })),
  };
}
