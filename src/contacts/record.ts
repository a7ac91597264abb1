/** The contact record that `show --json` prints and the audit log stores. */
import { fieldsOf } from '../output/fields.js';
import type { ContactWithAccount } from './lookup.js';

/** What `show --json` prints: exactly the CSV columns, booleans true/false, null for absent. */
export interface ContactRecord {
  account_external_id: string;
  name: string | null;
  email: string;
  role: string;
  is_primary: boolean;
  status: string;
  invited_at: string | null;
  last_login_at: string | null;
}

/** The record's fields in order: the CSV columns, a list's header, the importer's cell order. */
export const CONTACT_RECORD_FIELDS = fieldsOf<ContactRecord>()([
  'account_external_id',
  'name',
  'email',
  'role',
  'is_primary',
  'status',
  'invited_at',
  'last_login_at',
]);

export function toContactRecord(row: ContactWithAccount): ContactRecord {
  return {
    account_external_id: row.account_external_id,
    name: row.name,
    email: row.email,
    role: row.role,
    is_primary: row.is_primary === 1,
    status: row.status,
    invited_at: row.invited_at,
    last_login_at: row.last_login_at,
  };
}

export function contactKey(c: { account_external_id: string; email: string }): string {
  return `${c.account_external_id}/${c.email}`;
}
