// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres, text, withId } from './dialect.js';

/**
 * Settings (a small key/value store with a fixed list of known keys, src/settings/) and requests raised
 * for the contacts of an account (issue 12). `requests.number` is the key: REQ-000001 is number 1.
 * `import_batch_id` and `rev` with migration 0006's trigger, as on every table an import writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('name', text(db), (c) => c.primaryKey())
    .addColumn('value', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('requests')
    .$call(withId(db))
    .addColumn('number', int(db), (c) => c.notNull())
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('contact_id', int(db), (c) => c.notNull().references('contacts.id'))
    .addColumn('subject', text(db), (c) => c.notNull())
    .addColumn('description', text(db))
    // low | normal | high | urgent
    .addColumn('priority', text(db), (c) => c.notNull())
    // open | in_progress | resolved | closed
    .addColumn('status', text(db), (c) => c.notNull())
    // the manager who raised it on the contact's behalf
    .addColumn('created_by_id', int(db), (c) => c.references('managers.id'))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
    .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('requests_number').on('requests').column('number').unique().execute();
  await db.schema.createIndex('requests_account').on('requests').column('account_id').execute();
  await db.schema.createIndex('requests_contact').on('requests').column('contact_id').execute();
  await db.schema.createIndex('requests_created_by').on('requests').column('created_by_id').execute();
  if (isPostgres(db)) {
    await sql`create trigger requests_rev before update on requests for each row execute function acctmgr_bump_rev()`.execute(db);
  } else {
    await sql`create trigger requests_rev after update on requests for each row when new.rev = old.rev
      begin update requests set rev = old.rev + 1 where id = new.id; end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger requests_rev${isPostgres(db) ? sql` on requests` : sql``}`.execute(db);
  await db.schema.dropTable('requests').execute();
  await db.schema.dropTable('settings').execute();
}
