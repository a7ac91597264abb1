/**
 * Custom fields: extra, typed values that the administrator defines for accounts. Definitions live in
 * custom_fields, values as text in account_field_values (one row per account and field that has one).
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { ConflictError, invalid } from '../errors.js';
import { oneOfRule } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { CUSTOM_FIELD_TYPES, type CustomFieldType } from './fields.js';
import { customFieldNameProblem, customValueOut, type CustomFieldDef } from './rules.js';

export interface CustomFieldRecord {
  name: string;
  type: CustomFieldType;
  required: boolean;
  /** accounts that have a value for it */
  account_count: number;
}

export interface DefineInput {
  name: string;
  type: string;
  required?: boolean;
}

export interface DefineResult extends CustomFieldRecord {
  /** When defined as required: accounts that have no value yet (their next edit must set one). */
  accounts_missing: number;
}

export async function defineField(db: Kysely<DB>, op: Op, input: DefineInput): Promise<DefineResult> {
  const name = foldKey(input.name.trim());
  const nameProblem = customFieldNameProblem(name);
  if (nameProblem) throw invalid('name', input.name, nameProblem);
  const type = input.type.trim().toLowerCase();
  if (!(CUSTOM_FIELD_TYPES as readonly string[]).includes(type)) {
    throw invalid('type', input.type, oneOfRule(CUSTOM_FIELD_TYPES, String(input.type)));
  }
  const existing = await db.selectFrom('custom_fields').select('name').where('name', '=', name).executeTakeFirst();
  if (existing) throw new ConflictError(`custom field "${name}" is already defined`, 'see: acctmgr fields list');
  const required = input.required === true;
  await db
    .insertInto('custom_fields')
    .values({ name, type, required: required ? 1 : 0, created_at: op.now })
    .execute();
  const record = { name, type: type as CustomFieldType, required };
  await audit(db, op, { action: 'define', entity: 'field', key: name, after: record });
  const total = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { ...record, account_count: 0, accounts_missing: required ? Number(total.n) : 0 };
}

export async function listFields(db: Kysely<DB>, _op: Op): Promise<CustomFieldRecord[]> {
  const rows = await db
    .selectFrom('custom_fields as f')
    .leftJoin('account_field_values as v', 'v.field_id', 'f.id')
    .select(['f.name', 'f.type', 'f.required', (eb) => eb.fn.count<number>('v.account_id').as('n')])
    .groupBy(['f.id', 'f.name', 'f.type', 'f.required'])
    .orderBy('f.name')
    .execute();
  return rows.map((r) => ({ name: r.name, type: r.type as CustomFieldType, required: r.required === 1, account_count: Number(r.n) }));
}

export interface LoadedDef extends CustomFieldDef {
  id: number;
}

/** All definitions, by name order (the order of the columns in CSV and of the keys in `fields`). */
export async function loadFieldDefs(db: Kysely<DB>): Promise<LoadedDef[]> {
  const rows = await db.selectFrom('custom_fields').select(['id', 'name', 'type', 'required']).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, type: r.type as CustomFieldType, required: r.required === 1 }));
}

/** Stored values (text) per account id; chunked so that a long list stays under SQLite's variable limit. */
export async function readStoredValues(db: Kysely<DB>, accountIds: readonly number[]): Promise<Map<number, Record<string, string>>> {
  const out = new Map<number, Record<string, string>>();
  for (let i = 0; i < accountIds.length; i += 500) {
    const chunk = accountIds.slice(i, i + 500);
    const rows = await db
      .selectFrom('account_field_values as v')
      .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
      .select(['v.account_id', 'f.name', 'v.value'])
      .where('v.account_id', 'in', chunk)
      .execute();
    for (const r of rows) {
      const rec = out.get(r.account_id) ?? {};
      rec[r.name] = r.value;
      out.set(r.account_id, rec);
    }
  }
  return out;
}

/** The `fields` object of a record: every defined field, typed, null when unset. */
export function typedFields(defs: readonly CustomFieldDef[], stored: Readonly<Record<string, string>> = {}) {
  const out: Record<string, string | number | boolean | null> = {};
  for (const d of defs) out[d.name] = customValueOut(d.type, stored[d.name]);
  return out;
}

/** Sets (or, for null, clears) the given values of one account. */
export async function writeValues(
  db: Kysely<DB>,
  accountId: number,
  defs: readonly LoadedDef[],
  values: Readonly<Record<string, string | null>>,
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const def = defs.find((d) => d.name === name);
    if (!def) continue;
    if (value === null) {
      await db.deleteFrom('account_field_values').where('account_id', '=', accountId).where('field_id', '=', def.id).execute();
    } else {
      await db
        .insertInto('account_field_values')
        .values({ account_id: accountId, field_id: def.id, value })
        .onConflict((oc) => oc.columns(['account_id', 'field_id']).doUpdateSet({ value }))
        .execute();
    }
  }
}
