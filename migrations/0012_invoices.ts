// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres, text, withId } from './dialect.js';

/**
 * Invoices (issue 14) and what customer emails need.
 * - `invoices.number` is the key (PREFIX-YYYY-NNNNN), NULL while the invoice is `planned`; `number_key`
 *   its fold (unique). `year` + `seq` are the gap-free sequence per calendar year of `issued_on` (unique
 *   together): the next is max(seq) + 1 under the write lock (src/db/tx.ts), never a database sequence,
 *   which would leave a gap on every rollback.
 * - `lines_json`: a JSON array of {description, quantity, unit_price_cents, amount_cents}.
 * - `training_id` names a training once that issue lands: nullable, deliberately without a foreign key
 *   until the trainings table is merged.
 * - `planned_on`: the day a planned instalment is issued (`invoices issue --due`).
 * - `accounts.customer_emails`: 1 unless customer emails are switched off for the account.
 * - `notices.invoice_number`: the invoice a customer notice is about (its subject_id is invoices.id).
 * - `import_batch_id` and `rev` with migration 0006's trigger, as on every table an import writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invoices')
    .$call(withId(db))
    .addColumn('number', text(db))
    .addColumn('number_key', text(db))
    .addColumn('year', int(db))
    .addColumn('seq', int(db))
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('subscription_id', int(db), (c) => c.references('subscriptions.id'))
    .addColumn('training_id', int(db))
    .addColumn('instalment', int(db))
    .addColumn('instalments', int(db))
    .addColumn('period', text(db))
    .addColumn('lines_json', text(db), (c) => c.notNull())
    .addColumn('amount_cents', int(db), (c) => c.notNull())
    .addColumn('currency', text(db), (c) => c.notNull())
    .addColumn('planned_on', text(db))
    .addColumn('issued_on', text(db))
    .addColumn('due_on', text(db))
    .addColumn('paid_on', text(db))
    // planned | issued | paid | void
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('void_reason', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
    .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('invoices_number_key').on('invoices').column('number_key').unique().execute();
  await db.schema.createIndex('invoices_year_seq').on('invoices').columns(['year', 'seq']).unique().execute();
  await db.schema.createIndex('invoices_account').on('invoices').column('account_id').execute();
  await db.schema.createIndex('invoices_subscription').on('invoices').column('subscription_id').execute();
  await db.schema.createIndex('invoices_status_due').on('invoices').columns(['status', 'due_on']).execute();
  if (isPostgres(db)) {
    await sql`create trigger invoices_rev before update on invoices for each row execute function acctmgr_bump_rev()`.execute(db);
  } else {
    await sql`create trigger invoices_rev after update on invoices for each row when new.rev = old.rev
      begin update invoices set rev = old.rev + 1 where id = new.id; end`.execute(db);
  }
  await db.schema
    .alterTable('accounts')
    .addColumn('customer_emails', int(db), (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('notices').addColumn('invoice_number', text(db)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notices').dropColumn('invoice_number').execute();
  await db.schema.alterTable('accounts').dropColumn('customer_emails').execute();
  await sql`drop trigger invoices_rev${isPostgres(db) ? sql` on invoices` : sql``}`.execute(db);
  await db.schema.dropTable('invoices').execute();
}
