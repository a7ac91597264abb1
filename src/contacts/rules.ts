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
