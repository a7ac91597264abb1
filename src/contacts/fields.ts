import type { FieldSpec } from '../lib/fields.js';

/** `billing`: the person invoices and payment reminders go to (issue 14). */
export const CONTACT_ROLES = ['teacher', 'director', 'deputy', 'admin', 'other', 'billing'] as const;
export const CONTACT_STATUSES = ['invited', 'active', 'removed'] as const;

/** At most this many non-removed primary contacts per account. */
export const MAX_PRIMARY_CONTACTS = 5;

/** A new contact's status when none is given: someone who has logged in is active; otherwise invited. */
export function initialContactStatus(lastLoginAt: unknown): 'active' | 'invited' {
  return lastLoginAt ? 'active' : 'invited';
}

/** Contacts' fields, in CSV column order (the import and export rely on it); defaults: a new contact's. */
export const CONTACT_FIELDS: readonly FieldSpec[] = [
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account' },
  { name: 'name', type: 'text', description: 'full name' },
  { name: 'email', type: 'email', required: true, description: 'email address (unique within the account)' },
  { name: 'role', type: 'enum', values: CONTACT_ROLES, default: 'other', description: 'role' },
  { name: 'is_primary', type: 'bool', default: false, description: 'a primary contact' },
  { name: 'status', type: 'enum', values: CONTACT_STATUSES, default: (v) => initialContactStatus(v.last_login_at), description: 'status' },
  { name: 'invited_at', type: 'date', description: 'date invited' },
  { name: 'last_login_at', type: 'timestamp', description: 'last login (ISO 8601; stored in UTC)' },
];
