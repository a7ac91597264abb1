/**
 * A contact is addressed as `EMAIL [--account EXTERNAL_ID]`: the account is needed only when the
 * email exists in several accounts. Emails are stored lower-case and compared as keys (email_key).
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import type { DB } from '../db/schema/index.js';
import type { ContactRow } from '../db/schema/contacts.js';
import { ConflictError, NotFoundError, invalid } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import { mayBeNamedAsContact, notAContactRule } from './rules.js';

/** A contact row with its account's external id (what records and audit keys are built from). */
export type ContactWithAccount = ContactRow & { account_external_id: string };

/** contacts joined to their account; every read goes through it so records always carry the account id. */
export function contactsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('contacts as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .selectAll('c')
    .select('a.external_id as account_external_id');
}

export async function findContact(db: Kysely<DB>, email: string, accountExternalId?: string): Promise<ContactWithAccount | undefined> {
  const matches = await candidates(db, email, accountExternalId);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The contact with this email (in this account when given). With several matches and no account, a
 * single non-removed one wins (removed contacts no longer count); otherwise the error names the accounts.
 */
export async function resolveContact(db: Kysely<DB>, email: string, accountExternalId?: string): Promise<ContactWithAccount> {
  const matches = await candidates(db, email, accountExternalId);
  const key = accountExternalId ? `${accountExternalId}/${email}` : email;
  if (matches.length === 0 && accountExternalId !== undefined) await getAccount(db, accountExternalId);
  if (matches.length === 0) throw new NotFoundError('contact', key, 'list contacts with: acctmgr contacts list --search TEXT');
  if (matches.length === 1) return matches[0]!;
  const live = matches.filter((m) => m.status !== 'removed');
  if (live.length === 1) return live[0]!;
  const accounts = matches.map((m) => m.account_external_id).join(', ');
  throw new ConflictError(
    `contact "${email.trim().toLowerCase()}" exists in several accounts (${accounts}): say which with --account`,
    `add --account ${matches.map((m) => m.account_external_id).join(' or --account ')}`,
  );
}

async function candidates(db: Kysely<DB>, email: string, accountExternalId?: string): Promise<ContactWithAccount[]> {
  let q = contactsQuery(db).where('c.email_key', '=', foldKey(email.trim()));
  if (accountExternalId !== undefined) q = q.where('a.external_id_key', '=', foldKey(accountExternalId.trim()));
  return q.orderBy('a.external_id_key').execute();
}

/**
 * The id of the account's contact with this email, to name as the contact of a new or edited request or
 * activity; a removed contact or another account's is invalid as `contact_email` (mayBeNamedAsContact).
 */
export async function liveContactId(db: Kysely<DB>, account: { id: number; external_id: string }, email: string): Promise<number> {
  const c = await db
    .selectFrom('contacts')
    .select(['id', 'status', 'email'])
    .where('account_id', '=', account.id)
    .where('email_key', '=', foldKey(email))
    .executeTakeFirst();
  if (!c || !mayBeNamedAsContact(c.status, false))
    throw invalid('contact_email', email, notAContactRule(account.external_id, c?.email ?? email, c?.status));
  return c.id;
}
