// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
// Edited once, for PostgreSQL: ids and whole numbers through ./dialect.ts; the SQLite schema it makes is
// byte for byte what it was (test/unit/migrations.test.ts compares sqlite_master with a stored copy).
import type { Kysely } from '#kysely';
import { withId, int, text } from './dialect.js';

/**
 * The notices ledger of `acctmgr remind`: one row per (kind, subject, stage, cycle). The unique index
 * is what makes delivery exactly-once: a run claims a notice by inserting its row, and a second run
 * inserting the same key gets nothing to deliver.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notices')
    .$call(withId(db))
    // renewal | dormancy | activation
    .addColumn('kind', text(db), (c) => c.notNull())
    // subscriptions.id (renewal, activation) or seats.id (dormancy); not a foreign key so history survives
    .addColumn('subject_id', int(db), (c) => c.notNull())
    .addColumn('stage', text(db), (c) => c.notNull())
    // what the schedule counts from: end_date (renewal), last login or invitation date (dormancy), paid_at
    .addColumn('cycle', text(db), (c) => c.notNull())
    .addColumn('due_date', text(db), (c) => c.notNull())
    // in_doubt | sent | failed | skipped
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('reason', text(db))
    .addColumn('recipient_login', text(db))
    .addColumn('recipient_email', text(db))
    .addColumn('account_external_id', text(db), (c) => c.notNull())
    .addColumn('subscription_external_id', text(db), (c) => c.notNull())
    .addColumn('contact_email', text(db))
    .addColumn('run_id', text(db), (c) => c.notNull())
    // host:pid of the process that claimed the notice, so a later run can tell a crashed run from a running one
    .addColumn('claimed_by', text(db))
    .addColumn('attempts', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('sent_at', text(db))
    .execute();
  await db.schema.createIndex('notices_key').on('notices').unique().columns(['kind', 'subject_id', 'stage', 'cycle']).execute();
  await db.schema.createIndex('notices_due_date').on('notices').column('due_date').execute();
  await db.schema.createIndex('notices_status').on('notices').column('status').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notices').execute();
}
