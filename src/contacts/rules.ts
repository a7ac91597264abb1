/**
 * Pure rules shared by the contacts service and the CSV importer (which checks whole files against
 * the database and the other rows without a query per row).
 */
import { RefusedError } from '../errors.js';
import { MAX_PRIMARY_CONTACTS } from './fields.js';

/** A contact counts towards the primary limit only while it is primary and not removed. */
export function countsAsPrimary(c: { is_primary: boolean | number; status: string }): boolean {
  return Boolean(c.is_primary) && c.status !== 'removed';
}

/** The message for a refused primary contact, shared so the CLI and the importer say the same thing. */
export function primaryLimitMessage(accountExternalId: string): string {
  return `account ${accountExternalId} already has ${MAX_PRIMARY_CONTACTS} primary contacts (the limit is ${MAX_PRIMARY_CONTACTS})`;
}

/**
 * `otherPrimaries` = primary, non-removed contacts of the account other than the one being saved.
 * Throws when saving this contact as primary would exceed the limit.
 */
export function assertPrimaryLimit(
  accountExternalId: string,
  otherPrimaries: number,
  contact: { is_primary: boolean | number; status: string },
): void {
  if (countsAsPrimary(contact) && otherPrimaries >= MAX_PRIMARY_CONTACTS) {
    throw new RefusedError(
      primaryLimitMessage(accountExternalId),
      'make another contact not primary first: acctmgr contacts edit EMAIL --account ID --no-is-primary',
    );
  }
}

/**
 * Whether a contact of the account, with this status, may be named as the contact of a request or an
 * activity. A removed contact no longer counts, so `requests add` and `activities add|edit` refuse it; but
 * history may name one: the requests and activities of an import were made before their contact was
 * removed, and an export of them must import again (docs/import-export.md). `history`: the row is taken
 * as given (an import).
 */
export function mayBeNamedAsContact(status: string, history: boolean): boolean {
  return history || status !== 'removed';
}

/**
 * Why `email` names no contact of the account that may be named (`status`: the stored contact's, when
 * there is one).
 */
export function notAContactRule(accountExternalId: string, email: string, status?: string): string {
  return status === 'removed'
    ? `is a removed contact of account ${accountExternalId} (bring it back first with: ` +
        `acctmgr contacts edit ${email} --account ${accountExternalId} --status active)`
    : `is not a contact of account ${accountExternalId}`;
}
