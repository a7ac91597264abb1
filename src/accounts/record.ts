/**
 * Account rows → the records that `--json` prints. The keys are ACCOUNT_FIELDS' names (references by
 * their external names: group name, parent external id, manager login) plus the typed `fields`.
 */
import type { Kysely } from '#kysely';
import type { AccountRow } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { NotFoundError } from '../errors.js';
import { loadFieldDefs, readStoredValues, typedFields } from './custom-fields.js';
import type { CustomFieldDef } from './rules.js';

export type CustomValues = Record<string, string | number | boolean | null>;

/** The account's columns and, by their external names, what it refers to (JSON key order: toAccountRecord). */
export type AccountRecord = Pick<
  AccountRow,
  'external_id' | 'name' | 'type' | 'status' | 'country' | 'region' | 'registration_no' | 'student_count' | 'locale'
> & {
  group: string | null;
  parent_external_id: string | null;
  manager_login: string | null;
  /** customers get invoice emails (migration 0012) */
  customer_emails: boolean;
  fields: CustomValues;
};

/** Accounts (a) joined with their group (g), parent (p) and manager (m), for records and exports alike. */
export function accountJoins(db: Kysely<DB>) {
  return db
    .selectFrom('accounts as a')
    .leftJoin('account_groups as g', 'g.id', 'a.group_id')
    .leftJoin('accounts as p', 'p.id', 'a.parent_id')
    .leftJoin('managers as m', 'm.id', 'a.manager_id');
}

/** Accounts joined with the names of what they refer to; filters and sorting are added by callers. */
export function accountQuery(db: Kysely<DB>) {
  return accountJoins(db).select([
    'a.id',
    'a.external_id',
    'a.name',
    'a.type',
    'a.status',
    'g.name as group_name',
    'p.external_id as parent_external_id',
    'a.country',
    'a.region',
    'a.registration_no',
    'a.student_count',
    'a.locale',
    'm.login as manager_login',
    'a.customer_emails',
  ]);
}

export type JoinedAccount = Awaited<ReturnType<ReturnType<typeof accountQuery>['executeTakeFirstOrThrow']>>;

function toAccountRecord(row: JoinedAccount, fields: CustomValues): AccountRecord {
  return {
    external_id: row.external_id,
    name: row.name,
    type: row.type,
    status: row.status,
    group: row.group_name ?? null,
    parent_external_id: row.parent_external_id ?? null,
    country: row.country,
    region: row.region,
    registration_no: row.registration_no,
    student_count: row.student_count,
    locale: row.locale,
    manager_login: row.manager_login ?? null,
    customer_emails: Number(row.customer_emails) !== 0,
    fields,
  };
}

/** Records for many rows with one query for their custom field values. */
export async function toRecords(
  db: Kysely<DB>,
  rows: readonly JoinedAccount[],
  defs?: readonly CustomFieldDef[],
): Promise<AccountRecord[]> {
  const allDefs = defs ?? (await loadFieldDefs(db));
  const stored =
    allDefs.length > 0
      ? await readStoredValues(
          db,
          rows.map((r) => r.id),
        )
      : new Map<number, Record<string, string>>();
  return rows.map((r) => toAccountRecord(r, typedFields(allDefs, stored.get(r.id))));
}

export async function accountRecordById(db: Kysely<DB>, id: number): Promise<AccountRecord> {
  const row = await accountQuery(db).where('a.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('account', `#${id}`);
  const [record] = await toRecords(db, [row]);
  return record!;
}
