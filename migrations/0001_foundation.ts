// Frozen: never edit a migration that has been released; add a new numbered one instead.
// Edited once, for PostgreSQL: ids and whole numbers through ./dialect.ts; the SQLite schema it makes is
// byte for byte what it was (test/unit/migrations.test.ts compares sqlite_master with a stored copy).
import { sql, type Kysely } from '#kysely';
import { withId, int, text } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('managers')
    .$call(withId(db))
    .addColumn('login', text(db), (c) => c.notNull().unique())
    .addColumn('name', text(db), (c) => c.notNull())
    .addColumn('email', text(db), (c) => c.notNull().unique())
    .addColumn('employee_id', text(db), (c) => c.unique())
    .addColumn('phone', text(db))
    .addColumn('mobile', text(db))
    .addColumn('region', text(db))
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('active'))
    .addColumn('password_hash', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('manager_leaves')
    .$call(withId(db))
    .addColumn('manager_id', int(db), (c) => c.notNull().references('managers.id').onDelete('cascade'))
    .addColumn('backup_id', int(db), (c) => c.notNull().references('managers.id'))
    .addColumn('from_date', text(db), (c) => c.notNull())
    .addColumn('until_date', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('manager_leaves_manager').on('manager_leaves').column('manager_id').execute();
  await db.schema.createIndex('manager_leaves_backup').on('manager_leaves').column('backup_id').execute();

  await db.schema
    .createTable('account_groups')
    .$call(withId(db))
    .addColumn('name', text(db), (c) => c.notNull())
    .addColumn('created_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('account_groups_name')
    .on('account_groups')
    .unique()
    .expression(sql`lower(name)`)
    .execute();

  await db.schema
    .createTable('accounts')
    .$call(withId(db))
    .addColumn('external_id', text(db), (c) => c.notNull())
    .addColumn('name', text(db), (c) => c.notNull())
    .addColumn('type', text(db), (c) => c.notNull())
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('active'))
    .addColumn('group_id', int(db), (c) => c.references('account_groups.id'))
    .addColumn('parent_id', int(db), (c) => c.references('accounts.id'))
    .addColumn('country', text(db))
    .addColumn('region', text(db))
    .addColumn('registration_no', text(db))
    .addColumn('student_count', int(db))
    .addColumn('locale', text(db))
    .addColumn('manager_id', int(db), (c) => c.references('managers.id'))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('accounts_external_id')
    .on('accounts')
    .unique()
    .expression(sql`lower(external_id)`)
    .execute();
  await db.schema.createIndex('accounts_manager').on('accounts').column('manager_id').execute();
  await db.schema.createIndex('accounts_parent').on('accounts').column('parent_id').execute();
  await db.schema.createIndex('accounts_group').on('accounts').column('group_id').execute();

  await db.schema
    .createTable('custom_fields')
    .$call(withId(db))
    .addColumn('name', text(db), (c) => c.notNull().unique())
    .addColumn('type', text(db), (c) => c.notNull())
    .addColumn('required', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_field_values')
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('field_id', int(db), (c) => c.notNull().references('custom_fields.id').onDelete('cascade'))
    .addColumn('value', text(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('account_field_values_pk', ['account_id', 'field_id'])
    .execute();

  await db.schema
    .createTable('contacts')
    .$call(withId(db))
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', text(db))
    .addColumn('email', text(db), (c) => c.notNull())
    .addColumn('role', text(db), (c) => c.notNull().defaultTo('other'))
    .addColumn('is_primary', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('invited'))
    .addColumn('invited_at', text(db))
    .addColumn('last_login_at', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  // a named unique index, not a table constraint: a bulk import may drop and recreate it (src/db/bulk.ts)
  await db.schema.createIndex('contacts_account_email').on('contacts').columns(['account_id', 'email']).unique().execute();
  await db.schema.createIndex('contacts_email').on('contacts').column('email').execute();

  await db.schema
    .createTable('audit_log')
    .$call(withId(db))
    .addColumn('at', text(db), (c) => c.notNull())
    .addColumn('actor', text(db), (c) => c.notNull())
    .addColumn('action', text(db), (c) => c.notNull())
    .addColumn('entity', text(db), (c) => c.notNull())
    .addColumn('entity_key', text(db), (c) => c.notNull())
    .addColumn('before_json', text(db))
    .addColumn('after_json', text(db))
    .execute();
  await db.schema.createIndex('audit_log_entity_at').on('audit_log').columns(['entity', 'at']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_log',
    'contacts',
    'account_field_values',
    'custom_fields',
    'accounts',
    'account_groups',
    'manager_leaves',
    'managers',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
