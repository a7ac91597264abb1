/** Listing contacts with filters, and the per-account primary counts the importer checks files against. */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { checkFilter } from '../lib/checks.js';
import { mayContainAscii } from '../db/text.js';
import { foldKey } from '../lib/keys.js';
import { CONTACT_FIELDS } from './fields.js';
import { contactsQuery } from './lookup.js';
import { toContactRecord, type ContactRecord } from './record.js';

export interface ContactFilter {
  /** An account's external id (compared as a key). */
  account?: string;
  role?: string;
  /** Without a status filter removed contacts are left out; `status: 'removed'` lists only them. */
  status?: string;
  /** true: primary contacts that count (not removed); false: the others. */
  primary?: boolean;
  /** Part of the name or the email, compared by their folds (src/lib/keys.ts). */
  search?: string;
  /** Every contact, removed ones too (export). */
  includeRemoved?: boolean;
}

function enumFilter(field: 'role' | 'status', value: string): string {
  return checkFilter(
    CONTACT_FIELDS.find((f) => f.name === field)!,
    value,
  )!;
}

export async function listContacts(db: Kysely<DB>, f: ContactFilter = {}): Promise<ContactRecord[]> {
  return collect(await contactBatches(db, f));
}

/**
 * listContacts a batch at a time, nothing held beyond the batch: `contacts list --format csv` of a million
 * contacts held them all (1.2 GB, 26 s) before it wrote the first. The filters are checked (and the account
 * looked up) before the first batch.
 */
export async function contactBatches(db: Kysely<DB>, f: ContactFilter = {}): Promise<AsyncIterable<ContactRecord[]>> {
  let q = contactsQuery(db).orderBy('a.external_id_key').orderBy('c.email_key');
  if (f.account !== undefined) q = q.where('c.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.role !== undefined) q = q.where('c.role', '=', enumFilter('role', f.role));
  if (f.status !== undefined) q = q.where('c.status', '=', enumFilter('status', f.status));
  else if (!f.includeRemoved) q = q.where('c.status', '!=', 'removed');
  if (f.primary === true) q = q.where('c.is_primary', '=', 1).where('c.status', '!=', 'removed');
  if (f.primary === false) q = q.where((eb) => eb.or([eb('c.is_primary', '=', 0), eb('c.status', '=', 'removed')]));
  const search = f.search === undefined ? '' : foldKey(f.search.trim());
  // SQL has no Unicode fold: an ASCII search only narrows the rows there (src/db/text.ts), then every
  // search compares folds here, so "училище" finds "Училище"
  if (search !== '' && /^[\x00-\x7f]*$/.test(search))
    q = q.where((eb) => eb.or([mayContainAscii(db, eb, 'c.name', search), mayContainAscii(db, eb, 'c.email_key', search)]));
  const found = (_: ContactRecord, c: { name: string | null; email_key: string }) =>
    (c.name !== null && foldKey(c.name).includes(search)) || c.email_key.includes(search);
  return recordBatches(rowBatches(db, q), toContactRecord, search === '' ? undefined : found);
}

/** account id → number of primary, non-removed contacts (one query, for checking whole import files). */
export async function primaryCountsByAccount(db: Kysely<DB>): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('contacts')
    .select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('is_primary', '=', 1)
    .where('status', '!=', 'removed')
    .groupBy('account_id')
    .execute();
  return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
}
