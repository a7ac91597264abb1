/**
 * Every stored key of the database: the column as written (kept for display) and, where it has one,
 * the stored folded column its unique index is on (migration 0005). The key scan, `db repair-keys`,
 * `db check` and `import undo` take the columns from here.
 */
import type { FieldType } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import type { AuditEntity } from './audit-log.js';

export interface KeyColumn {
  /** what `db repair-keys --rename ENTITY` calls it */
  entity: string;
  /** the audit log's entity */
  audit: AuditEntity;
  table: string;
  source: string;
  /** the stored foldKey(source); logins are stored lower-case ASCII and are their own key */
  key?: string;
  type: Extract<FieldType, 'key' | 'email' | 'login'>;
  /** unique per value of this column (a contact's email within its account) */
  scope?: 'account_id';
}

export const KEY_COLUMNS: readonly KeyColumn[] = [
  { entity: 'groups', audit: 'group', table: 'account_groups', source: 'name', key: 'name_key', type: 'key' },
  { entity: 'accounts', audit: 'account', table: 'accounts', source: 'external_id', key: 'external_id_key', type: 'key' },
  { entity: 'subscriptions', audit: 'subscription', table: 'subscriptions', source: 'external_id', key: 'external_id_key', type: 'key' },
  { entity: 'products', audit: 'product', table: 'products', source: 'code', key: 'code_key', type: 'key' },
  { entity: 'plans', audit: 'plan', table: 'plans', source: 'code', key: 'code_key', type: 'key' },
  { entity: 'contacts', audit: 'contact', table: 'contacts', source: 'email', key: 'email_key', type: 'email', scope: 'account_id' },
  { entity: 'managers', audit: 'manager', table: 'managers', source: 'email', key: 'email_key', type: 'email' },
  { entity: 'managers', audit: 'manager', table: 'managers', source: 'login', type: 'login' },
];

/** Sets a row's stored key columns from the key values it holds (a restored before-image, say). */
export function withKeys(table: string, row: Record<string, unknown>): Record<string, unknown> {
  for (const k of KEY_COLUMNS) {
    if (k.table === table && k.key && typeof row[k.source] === 'string') row[k.key] = foldKey(row[k.source] as string);
  }
  return row;
}
