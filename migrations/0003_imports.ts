// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
// Edited once, for PostgreSQL: ids and whole numbers through ./dialect.ts; the SQLite schema it makes is
// byte for byte what it was (test/unit/migrations.test.ts compares sqlite_master with a stored copy).
import type { Kysely } from '#kysely';
import { withId, int, text } from './dialect.js';

/**
 * Import batches and what each changed, for `import history` and `import undo`. Rows inserted by one
 * batch get contiguous ids (one write transaction, AUTOINCREMENT), so inserts are recorded as id ranges
 * per table, not row by row; only updated rows keep a before-image. A million-row import costs a few
 * range rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_batches')
    .$call(withId(db))
    .addColumn('at', text(db), (c) => c.notNull())
    .addColumn('actor', text(db), (c) => c.notNull())
    // the entity imported, or 'all'
    .addColumn('entity', text(db), (c) => c.notNull())
    // the file or directory as typed
    .addColumn('source', text(db), (c) => c.notNull())
    // applied | undone
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('applied'))
    .addColumn('inserted', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('updated', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('summary_json', text(db))
    .addColumn('undone_at', text(db))
    .execute();

  await db.schema
    .createTable('import_batch_inserts')
    .$call(withId(db))
    .addColumn('batch_id', int(db), (c) => c.notNull().references('import_batches.id').onDelete('cascade'))
    .addColumn('table_name', text(db), (c) => c.notNull())
    .addColumn('first_id', int(db), (c) => c.notNull())
    .addColumn('last_id', int(db), (c) => c.notNull())
    .addColumn('row_count', int(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_batch_inserts_batch').on('import_batch_inserts').column('batch_id').execute();

  await db.schema
    .createTable('import_batch_updates')
    .$call(withId(db))
    .addColumn('batch_id', int(db), (c) => c.notNull().references('import_batches.id').onDelete('cascade'))
    .addColumn('table_name', text(db), (c) => c.notNull())
    .addColumn('row_id', int(db), (c) => c.notNull())
    // the whole row before the batch changed it (for accounts with its custom field values)
    .addColumn('before_json', text(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_batch_updates_batch').on('import_batch_updates').column('batch_id').execute();
  await db.schema.createIndex('import_batch_updates_row').on('import_batch_updates').columns(['table_name', 'row_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['import_batch_updates', 'import_batch_inserts', 'import_batches']) await db.schema.dropTable(t).execute();
}
