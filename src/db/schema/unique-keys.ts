/**
 * Every unique key the migrations declare — primary keys, UNIQUE columns and unique indexes — listed once,
 * as the migrations make them, not as a database's catalogue says: `db check` looks for rows that share a
 * key by queries (src/db/duplicate-keys.ts), so a unique index dropped or never rebuilt cannot hide its
 * duplicates. test/unit/unique-keys.test.ts holds this list to the unique indexes and constraints of a
 * freshly migrated database on each engine: a migration that adds or drops one fails it until the list
 * follows.
 */
import { KEY_COLUMNS } from './key-columns.js';

export interface UniqueKey {
  table: string;
  columns: readonly string[];
  /** the index is on coalesce(column, value): that column's null is one more value, not "unknown" */
  nullAs?: { column: string; value: number };
  /**
   * SQLite: the key is the table's INTEGER PRIMARY KEY, the rowid its B-tree is ordered by: two rows
   * cannot hold one (integrity_check checks the tree). PostgreSQL: a primary key like any other.
   */
  rowid?: true;
}

/** The tables whose primary key is their generated `id` (migrations/dialect.ts withId). */
const ID_TABLES = [
  'account_groups',
  'accounts',
  'activities',
  'audit_log',
  'contacts',
  'custom_fields',
  'import_batch_inserts',
  'import_batch_updates',
  'import_batches',
  'invoices',
  'login_events',
  'manager_changes',
  'manager_leaves',
  'managers',
  'notices',
  'plan_prices',
  'plans',
  'products',
  'requests',
  'seats',
  'subscription_history',
  'subscriptions',
  'training_steps',
  'trainings',
] as const;

export const UNIQUE_KEYS: readonly UniqueKey[] = [
  ...ID_TABLES.map((table): UniqueKey => ({ table, columns: ['id'], rowid: true })),
  // the stored folded keys (migration 0005), a contact's email per account; managers' logins are their own key
  ...KEY_COLUMNS.map((k): UniqueKey => ({ table: k.table, columns: [...(k.scope ? [k.scope] : []), k.key ?? k.source] })),
  // managers.email also keeps the UNIQUE column constraint of 0001 (SQLite cannot drop one)
  { table: 'managers', columns: ['email'] },
  { table: 'managers', columns: ['employee_id'] },
  { table: 'custom_fields', columns: ['name'] },
  { table: 'account_field_values', columns: ['account_id', 'field_id'] },
  // one price row per plan, student band (none: any number) and term
  { table: 'plan_prices', columns: ['plan_id', 'max_students', 'term_months'], nullAs: { column: 'max_students', value: -1 } },
  { table: 'subscriptions', columns: ['activation_code'] },
  { table: 'seats', columns: ['subscription_id', 'contact_id'] },
  { table: 'login_events', columns: ['seat_id', 'at'] },
  { table: 'notices', columns: ['kind', 'subject_id', 'stage', 'cycle'] },
  { table: 'activities', columns: ['number'] },
  { table: 'settings', columns: ['name'] },
  { table: 'requests', columns: ['number'] },
  { table: 'trainings', columns: ['number'] },
  { table: 'invoices', columns: ['number_key'] },
  { table: 'invoices', columns: ['year', 'seq'] },
];
