/**
 * Contacts: the people of a customer account. Plain functions over Kysely; the caller owns the
 * transaction. Emails are stored lower-case and unique within an account. A removed contact keeps its
 * row (history) but no longer counts: not towards the primary limit, not in counts, not in default lists.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import type { ContactUpdate } from '../db/schema/contacts.js';
import { ConflictError, NotFoundError, invalid } from '../errors.js';
import { checkFields, refuseCleared, requirePresent } from '../lib/checks.js';
import { parseTimestamp } from '../lib/dates.js';
import { foldKey } from '../lib/keys.js';
import { withDefaults, type FieldValue } from '../lib/fields.js';
import type { Op } from '../op.js';
import { CONTACT_FIELDS } from './fields.js';
import { contactsQuery, resolveContact } from './lookup.js';
import { assertNoHistoryLeftBehind, assertNoSeatsLeftBehind } from './move.js';
import { assertPrimaryLimit, countsAsPrimary } from './rules.js';
import { contactKey, toContactRecord, type ContactRecord } from './record.js';

export { findContact, resolveContact, type ContactWithAccount } from './lookup.js';
export { contactKey, toContactRecord, type ContactRecord } from './record.js';
export { contactBatches, listContacts, primaryCountsByAccount, type ContactFilter } from './list.js';

/** Primary, non-removed contacts of the account, not counting `exceptId`. */
async function otherPrimaries(db: Kysely<DB>, accountId: number, exceptId?: number): Promise<number> {
  let q = db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('is_primary', '=', 1)
    .where('status', '!=', 'removed');
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** `exceptId`: the contact being edited (a change of its email's case or form is no clash). */
async function assertEmailFree(
  db: Kysely<DB>,
  accountId: number,
  accountExternalId: string,
  email: string,
  exceptId?: number,
): Promise<void> {
  let q = db.selectFrom('contacts').select(['email', 'status']).where('account_id', '=', accountId).where('email_key', '=', foldKey(email));
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  const other = await q.executeTakeFirst();
  if (!other) return;
  const removed =
    other.status === 'removed'
      ? ` (removed; bring it back with: acctmgr contacts edit ${other.email} --account ${accountExternalId} --status active)`
      : '';
  const same = other.email === email ? '' : ` (as "${other.email}")`;
  throw new ConflictError(`email "${email}" is already a contact of account ${accountExternalId}${same}${removed}`);
}

/** Stored column values for the given (already coerced) fields; account_external_id is handled apart. */
function columns(values: Record<string, FieldValue>): ContactUpdate {
  const out: ContactUpdate = {};
  for (const f of ['name', 'email', 'role', 'status', 'invited_at', 'last_login_at'] as const) {
    if (f in values) (out as Record<string, unknown>)[f] = values[f];
  }
  if ('is_primary' in values) out.is_primary = values.is_primary ? 1 : 0;
  if (typeof out.email === 'string') out.email_key = foldKey(out.email);
  return out;
}

export async function addContact(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<ContactRecord> {
  const given = checkFields(CONTACT_FIELDS, input);
  requirePresent(CONTACT_FIELDS, given);
  const account = await getAccount(db, given.account_external_id as string);
  const email = given.email as string;
  await assertEmailFree(db, account.id, account.external_id, email);
  const set = columns(withDefaults(CONTACT_FIELDS, given));
  const status = set.status as string;
  const isPrimary = set.is_primary!;
  assertPrimaryLimit(account.external_id, await otherPrimaries(db, account.id), { is_primary: isPrimary, status });
  const row = await db
    .insertInto('contacts')
    .values({
      account_id: account.id,
      name: set.name ?? null,
      email,
      email_key: foldKey(email),
      role: set.role as string,
      is_primary: isPrimary,
      status,
      invited_at: set.invited_at ?? null,
      last_login_at: set.last_login_at ?? null,
      created_at: op.now,
      updated_at: op.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const record = toContactRecord({ ...row, account_external_id: account.external_id });
  await audit(db, op, { action: 'add', entity: 'contact', key: contactKey(record), after: record });
  return record;
}

/**
 * Changes the given fields (an empty value clears an optional one). `account_external_id` moves the
 * contact to another account (refused while it holds seats on its account's subscriptions, or is named by its
 * requests or activities). The primary limit is checked only when this contact would start counting
 * in its (new) account, so editing a name never fails because of others.
 */
export async function editContact(
  db: Kysely<DB>,
  op: Op,
  email: string,
  accountExternalId: string | undefined,
  input: Record<string, unknown>,
): Promise<ContactRecord> {
  const row = await resolveContact(db, email, accountExternalId);
  const values = checkFields(CONTACT_FIELDS, input);
  refuseCleared(CONTACT_FIELDS, values);
  const before = toContactRecord(row);
  if (Object.keys(values).length === 0) return before;
  const target = values.account_external_id ? await getAccount(db, values.account_external_id as string) : undefined;
  const accountId = target?.id ?? row.account_id;
  const accountExt = target?.external_id ?? row.account_external_id;
  if (accountId !== row.account_id) {
    await assertNoSeatsLeftBehind(db, row, row.account_id);
    await assertNoHistoryLeftBehind(db, row, row.account_id, accountExt);
  }
  const set = columns(values);
  const nextEmail = set.email ?? row.email;
  if (nextEmail !== row.email || accountId !== row.account_id) await assertEmailFree(db, accountId, accountExt, nextEmail, row.id);
  const next = { is_primary: set.is_primary ?? row.is_primary, status: set.status ?? row.status };
  if (countsAsPrimary(next) && !(countsAsPrimary(row) && accountId === row.account_id)) {
    assertPrimaryLimit(accountExt, await otherPrimaries(db, accountId, row.id), next);
  }
  const updated = await db
    .updateTable('contacts')
    .set({ ...set, account_id: accountId, updated_at: op.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const after = toContactRecord({ ...updated, account_external_id: accountExt });
  await audit(db, op, { action: 'edit', entity: 'contact', key: contactKey(after), before, after });
  return after;
}

/** Status removed; the row and its history stay. Removing a removed contact changes nothing. */
export async function removeContact(db: Kysely<DB>, op: Op, email: string, accountExternalId?: string): Promise<ContactRecord> {
  const row = await resolveContact(db, email, accountExternalId);
  const before = toContactRecord(row);
  if (row.status === 'removed') return before;
  await db.updateTable('contacts').set({ status: 'removed', updated_at: op.now }).where('id', '=', row.id).execute();
  const after = { ...before, status: 'removed' };
  await audit(db, op, { action: 'remove', entity: 'contact', key: contactKey(after), before, after });
  return after;
}

export async function showContact(db: Kysely<DB>, email: string, accountExternalId?: string): Promise<ContactRecord> {
  return toContactRecord(await resolveContact(db, email, accountExternalId));
}

/**
 * Records a login: last_login_at becomes the later of the stored and the given time, never earlier
 * (login events may arrive out of order). Returns true when it moved. Bulk callers (imports, which
 * audit once per batch) pass `{ audit: false }`.
 */
export async function touchLastLogin(
  db: Kysely<DB>,
  op: Op,
  contactId: number,
  timestamp: string,
  options: { audit?: boolean } = {},
): Promise<boolean> {
  const parsed = parseTimestamp(timestamp);
  if (!parsed.ok) throw invalid('last_login_at', timestamp, parsed.rule);
  const ts = parsed.value;
  const row = await contactsQuery(db).where('c.id', '=', contactId).executeTakeFirst();
  if (!row) throw new NotFoundError('contact', `#${contactId}`);
  if (row.last_login_at !== null && row.last_login_at >= ts) return false;
  await db.updateTable('contacts').set({ last_login_at: ts, updated_at: op.now }).where('id', '=', contactId).execute();
  if (options.audit !== false) {
    await audit(db, op, {
      action: 'login',
      entity: 'contact',
      key: contactKey(row),
      before: { last_login_at: row.last_login_at },
      after: { last_login_at: ts },
    });
  }
  return true;
}
