// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres, text, withId } from './dialect.js';

/**
 * `invoices.training_id` references `trainings(id)` (issue 14: invoices that bill a training), declared
 * as every other reference is, and indexed (an invoice is looked up by its training).
 * - PostgreSQL adds the constraint to the existing column (named as PostgreSQL names an inline one).
 * - SQLite cannot add a foreign key to an existing column, so the table is rebuilt the documented way,
 *   inside the migration's one transaction: a new table with the same columns in the same order and the
 *   reference, every row copied with its id, the old table dropped (nothing references invoices), the new
 *   one renamed, its indexes and migration 0006's rev trigger created again. The AUTOINCREMENT counter
 *   is carried over, so an id once used (an invoice an import undo removed, still named by the notices'
 *   ledger as subject_id) is never given again.
 * - Before 0014, `import invoices` took any whole number as training_id. A value that names no training
 *   cannot stay under the constraint: it is cleared, and an audit row (entity invoice, action
 *   `migrate`) keeps the value that was there. Every other value and row is kept as it was.
 */
const OWN = '0014_invoice_training';

/** The invoices table of migration 0012, column for column; with `trainingFk` its training_id references trainings. */
async function createInvoices(db: Kysely<any>, name: string, trainingFk: boolean): Promise<void> {
  await db.schema
    .createTable(name)
    .$call(withId(db))
    .addColumn('number', text(db))
    .addColumn('number_key', text(db))
    .addColumn('year', int(db))
    .addColumn('seq', int(db))
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('subscription_id', int(db), (c) => c.references('subscriptions.id'))
    .addColumn('training_id', int(db), (c) => (trainingFk ? c.references('trainings.id') : c))
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
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('void_reason', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
    .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
}

/** SQLite: invoices rebuilt as `trainingFk` says, rows, ids, indexes, trigger and AUTOINCREMENT counter kept. */
async function rebuildSqlite(db: Kysely<any>, trainingFk: boolean): Promise<void> {
  const { rows } = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'invoices'`.execute(db);
  await createInvoices(db, 'invoices_rebuilt', trainingFk);
  await sql`insert into invoices_rebuilt select * from invoices order by id`.execute(db);
  await sql`drop table invoices`.execute(db);
  await sql`alter table invoices_rebuilt rename to invoices`.execute(db);
  if (rows[0]) await sql`update sqlite_sequence set seq = max(seq, ${rows[0].seq}) where name = 'invoices'`.execute(db);
  await db.schema.createIndex('invoices_number_key').on('invoices').column('number_key').unique().execute();
  await db.schema.createIndex('invoices_year_seq').on('invoices').columns(['year', 'seq']).unique().execute();
  await db.schema.createIndex('invoices_account').on('invoices').column('account_id').execute();
  await db.schema.createIndex('invoices_subscription').on('invoices').column('subscription_id').execute();
  await db.schema.createIndex('invoices_status_due').on('invoices').columns(['status', 'due_on']).execute();
  await sql`create trigger invoices_rev after update on invoices for each row when new.rev = old.rev
    begin update invoices set rev = old.rev + 1 where id = new.id; end`.execute(db);
}

/** training_id values that name no training: cleared, each recorded in the audit log with the value it had. */
async function clearDangling(db: Kysely<any>): Promise<void> {
  const dangling = await db
    .selectFrom('invoices as i')
    .select(['i.id', 'i.number', 'i.training_id'])
    .where('i.training_id', 'is not', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('trainings as t').select('t.id').whereRef('t.id', '=', 'i.training_id'))))
    .orderBy('i.id')
    .execute();
  if (dangling.length === 0) return;
  // as every audit row's `at`: UTC, whole seconds
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const actor = isPostgres(db) ? sql<string>`current_user` : `migration ${OWN}`;
  for (const d of dangling) {
    const number = d.number as string | null;
    await db
      .insertInto('audit_log')
      .values({
        at,
        actor,
        action: 'migrate',
        entity: 'invoice',
        entity_key: number ?? `invoice id ${String(d.id)}`,
        before_json: JSON.stringify({ training_id: Number(d.training_id) }),
        after_json: JSON.stringify({ training_id: null, reason: `training id ${String(d.training_id)} named no training (${OWN})` }),
      })
      .execute();
  }
  await db
    .updateTable('invoices')
    .set({ training_id: null })
    .where(
      'id',
      'in',
      dangling.map((d) => d.id as number),
    )
    .execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await clearDangling(db);
  if (isPostgres(db)) {
    await db.schema
      .alterTable('invoices')
      .addForeignKeyConstraint('invoices_training_id_fkey', ['training_id'], 'trainings', ['id'])
      .execute();
  } else {
    await rebuildSqlite(db, true);
  }
  await db.schema.createIndex('invoices_training').on('invoices').column('training_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invoices_training').execute();
  if (isPostgres(db)) await db.schema.alterTable('invoices').dropConstraint('invoices_training_id_fkey').execute();
  else await rebuildSqlite(db, false);
}
