/**
 * Adding and editing accounts. Every problem that can be seen from the input (bad values, unknown or
 * bad custom fields, the tutor rule, missing required custom fields) is reported at once, before any
 * reference is resolved or anything is written. The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { AccountUpdate } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { InvalidDataError, type FieldProblem } from '../errors.js';
import { clearedFields, missingFields } from '../lib/checks.js';
import { coerceAll, withDefaults, type FieldValue } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import { recordManagerChanges } from '../managers/changes.js';
import type { Op } from '../op.js';
import { loadFieldDefs, readStoredValues, writeValues, type LoadedDef } from './custom-fields.js';
import { ACCOUNT_FIELDS } from './fields.js';
import { getAccount } from './lookup.js';
import { accountRecordById, type AccountRecord } from './record.js';
import { assertExternalIdFree, generateExternalId, resolveRefs } from './refs.js';
import { accountRowProblems, checkCustomValues, missingRequiredFields } from './rules.js';

export { ensureGroup } from './groups.js';
export { findAccount, getAccount } from './lookup.js';
export type { AccountRecord } from './record.js';

/** snake_case account fields, plus `fields`: custom field NAME → raw value. */
export type AccountInput = Record<string, unknown> & { fields?: Record<string, unknown> };

const HINT = 'custom fields are set with --field NAME=VALUE; see: acctmgr fields list';

interface Checked {
  values: Record<string, FieldValue>;
  custom: Record<string, string | null>;
  defs: LoadedDef[];
  problems: FieldProblem[];
}

async function checkInput(db: Kysely<DB>, input: AccountInput): Promise<Checked> {
  const { values, problems } = coerceAll(ACCOUNT_FIELDS, input);
  const defs = await loadFieldDefs(db);
  const custom = checkCustomValues(defs, input.fields ?? {});
  return { values, custom: custom.values, defs, problems: [...problems, ...custom.problems] };
}

function fail(problems: FieldProblem[]): void {
  if (problems.length > 0) {
    const hint = problems.some((p) => p.rule.includes('custom field')) ? HINT : undefined;
    throw new InvalidDataError(problems, hint);
  }
}

export async function addAccount(db: Kysely<DB>, op: Op, input: AccountInput): Promise<AccountRecord> {
  const checked = await checkInput(db, input);
  const { custom, defs, problems } = checked;
  problems.push(
    ...missingFields(ACCOUNT_FIELDS, checked.values, problems),
    ...accountRowProblems(checked.values),
    ...missingRequiredFields(defs, custom, problems),
  );
  fail(problems);
  const values = withDefaults(ACCOUNT_FIELDS, checked.values);

  const given = values.external_id as string | null | undefined;
  const externalId = given ?? (await generateExternalId(db));
  if (given) await assertExternalIdFree(db, given);
  const refs = await resolveRefs(db, op, values, { external_id: externalId });
  const row = await db
    .insertInto('accounts')
    .values({
      external_id: externalId,
      external_id_key: foldKey(externalId),
      name: values.name as string,
      type: values.type as string,
      status: values.status as string,
      group_id: refs.group_id ?? null,
      parent_id: refs.parent_id ?? null,
      country: (values.country as string | null | undefined) ?? null,
      region: (values.region as string | null | undefined) ?? null,
      registration_no: (values.registration_no as string | null | undefined) ?? null,
      student_count: (values.student_count as number | null | undefined) ?? null,
      locale: (values.locale as string | null | undefined) ?? null,
      manager_id: refs.manager_id ?? null,
      customer_emails: values.customer_emails === false ? 0 : 1,
      created_at: op.now,
      updated_at: op.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeValues(db, row.id, defs, custom);
  const record = await accountRecordById(db, row.id);
  await audit(db, op, { action: 'add', entity: 'account', key: record.external_id, after: record });
  return record;
}

const PLAIN_COLUMNS = ['name', 'type', 'status', 'country', 'region', 'registration_no', 'student_count', 'locale'] as const;

/**
 * Changes the given fields; an empty value clears an optional one. Required custom fields are
 * enforced on the result: an edit is refused while any required custom field would be left without a
 * value — also one the account never had (defined as required later) — so the edit must set it.
 */
export async function editAccount(db: Kysely<DB>, op: Op, externalId: string, input: AccountInput): Promise<AccountRecord> {
  const row = await getAccount(db, externalId);
  const { values, custom, defs, problems } = await checkInput(db, input);
  problems.push(...clearedFields(ACCOUNT_FIELDS, values));
  if ('external_id' in values && values.external_id === null) problems.push({ field: 'external_id', value: '', rule: 'cannot be cleared' });
  const before = await accountRecordById(db, row.id);
  const type = (values.type as string | undefined) ?? row.type;
  const manager = 'manager_login' in values ? values.manager_login : before.manager_login;
  problems.push(...accountRowProblems({ type, manager_login: manager }));
  const stored = (await readStoredValues(db, [row.id])).get(row.id) ?? {};
  problems.push(...missingRequiredFields(defs, { ...stored, ...custom }, problems));
  fail(problems);

  const newKey = (values.external_id as string | undefined) ?? row.external_id;
  if (newKey !== row.external_id) await assertExternalIdFree(db, newKey, row.id);
  const refs = await resolveRefs(db, op, values, { id: row.id, external_id: newKey });
  const set: AccountUpdate = { ...refs, external_id: newKey, external_id_key: foldKey(newKey) };
  for (const c of PLAIN_COLUMNS) if (c in values) (set as Record<string, unknown>)[c] = values[c];
  if ('customer_emails' in values) set.customer_emails = values.customer_emails === false ? 0 : 1;
  const changedValues = Object.fromEntries(Object.entries(custom).filter(([name, v]) => (stored[name] ?? null) !== v));
  // an edit that changes nothing writes nothing: no updated_at, no rev (import undo stays possible), no audit
  if (!changesRow(row, set) && Object.keys(changedValues).length === 0) return before;
  // the account's row is updated with its custom values too: its rev tells undo they changed (src/import/undo.ts)
  await db
    .updateTable('accounts')
    .set({ ...set, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  await writeValues(db, row.id, defs, changedValues);
  if (refs.manager_id !== undefined)
    await recordManagerChanges(db, op, [{ account_id: row.id, from_manager_id: row.manager_id }], refs.manager_id, 'edit');
  const after = await accountRecordById(db, row.id);
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    await audit(db, op, { action: 'edit', entity: 'account', key: after.external_id, before, after });
  }
  return after;
}

/** Whether the update would change a column of the stored row (ids compared as text: bigint on PostgreSQL). */
function changesRow(row: Readonly<Record<string, unknown>>, set: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(set).some(([col, v]) => {
    const was = row[col] ?? null;
    return v !== undefined && v !== was && (v === null || was === null || String(v) !== String(was));
  });
}
