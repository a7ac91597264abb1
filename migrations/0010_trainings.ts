// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres, text, withId } from './dialect.js';

/**
 * Trainings sold to an account's teachers (issue 13), the history of their steps, and the training
 * credits a plan includes.
 * - `trainings.number` is the key: TRN-000001 is number 1. `first_date` and `second_date` are the one
 *   or two training days (YYYY-MM-DD; second_date NULL for a one-day training). Money in cents, 64-bit.
 * - `training_steps`: one row per step taken (status, the day, who), removed with its training.
 * - `plans.included_training_credits`: 0 (the default) includes no training.
 * - `import_batch_id` and `rev` with migration 0006's trigger, as on every table an import writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('included_training_credits', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('trainings')
    .$call(withId(db))
    .addColumn('number', int(db), (c) => c.notNull())
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('subscription_id', int(db), (c) => c.references('subscriptions.id'))
    .addColumn('topic', text(db), (c) => c.notNull())
    .addColumn('credits', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('register_no', text(db))
    // onsite | offsite | online
    .addColumn('format', text(db))
    .addColumn('venue', text(db))
    .addColumn('participants', int(db), (c) => c.notNull())
    .addColumn('first_date', text(db))
    .addColumn('second_date', text(db))
    .addColumn('travel', int(db), (c) => c.notNull().defaultTo(0))
    // package | campaign | cross_sell | direct
    .addColumn('source', text(db), (c) => c.notNull())
    .addColumn('price_cents', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('currency', text(db))
    .addColumn('manager_id', int(db), (c) => c.references('managers.id'))
    .addColumn('expert_id', int(db), (c) => c.references('managers.id'))
    // requested | confirmed | contract_requested | contract_sent | signed | delivered | cancelled
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('notes', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
    .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('trainings_number').on('trainings').column('number').unique().execute();
  await db.schema.createIndex('trainings_account').on('trainings').column('account_id').execute();
  await db.schema.createIndex('trainings_subscription').on('trainings').column('subscription_id').execute();
  await db.schema.createIndex('trainings_manager').on('trainings').column('manager_id').execute();
  await db.schema.createIndex('trainings_expert').on('trainings').column('expert_id').execute();
  await db.schema.createIndex('trainings_first_date').on('trainings').column('first_date').execute();
  await db.schema
    .createTable('training_steps')
    .$call(withId(db))
    .addColumn('training_id', int(db), (c) => c.notNull().references('trainings.id').onDelete('cascade'))
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('on_date', text(db), (c) => c.notNull())
    .addColumn('actor', text(db), (c) => c.notNull())
    .addColumn('created_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('training_steps_training').on('training_steps').column('training_id').execute();
  if (isPostgres(db)) {
    // acctmgr_bump_rev() is migration 0006's function
    await sql`create trigger trainings_rev before update on trainings for each row execute function acctmgr_bump_rev()`.execute(db);
  } else {
    await sql`create trigger trainings_rev after update on trainings for each row when new.rev = old.rev
      begin update trainings set rev = old.rev + 1 where id = new.id; end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger trainings_rev${isPostgres(db) ? sql` on trainings` : sql``}`.execute(db);
  await db.schema.dropTable('training_steps').execute();
  await db.schema.dropTable('trainings').execute();
  await db.schema.alterTable('plans').dropColumn('included_training_credits').execute();
}
