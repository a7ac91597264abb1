// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres, text, withId } from './dialect.js';

/**
 * The work log (issue 12): activities (calls, emails, meetings, web and training sessions, notes,
 * tasks) of an account, and the fair-use limits of a plan.
 * - `activities.number` is the key: ACT-000001 is number 1 (a plain integer, so the next key is
 *   max + 1 on every engine and an imported history keeps its keys). `at` is a UTC timestamp
 *   (YYYY-MM-DDTHH:MM:SSZ), so its text order is time order and its first ten characters the UTC date.
 * - Plan limits: NULL is "unlimited", 0 "none"; existing plans get the defaults 2, 5, 1.
 * - `import_batch_id` and `rev` as on every table an import writes (migration 0006), with the same
 *   rev trigger, so `import undo` covers activities.
 */
const LIMITS: [string, number][] = [
  ['sessions_per_week', 2],
  ['sessions_per_month', 5],
  ['trainings_per_year', 1],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [column, value] of LIMITS) {
    await db.schema
      .alterTable('plans')
      .addColumn(column, int(db), (c) => c.defaultTo(value))
      .execute();
  }
  await db.schema
    .createTable('activities')
    .$call(withId(db))
    .addColumn('number', int(db), (c) => c.notNull())
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', text(db), (c) => c.notNull())
    .addColumn('subject', text(db), (c) => c.notNull())
    .addColumn('notes', text(db))
    .addColumn('contact_id', int(db), (c) => c.references('contacts.id'))
    .addColumn('manager_id', int(db), (c) => c.references('managers.id'))
    .addColumn('at', text(db), (c) => c.notNull())
    .addColumn('duration_minutes', int(db))
    // planned | done | cancelled
    .addColumn('status', text(db), (c) => c.notNull())
    .addColumn('outcome', text(db))
    .addColumn('follow_up_of', int(db), (c) => c.references('activities.id'))
    // set when a fair-use limit was overridden on purpose
    .addColumn('override_reason', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
    .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('activities_number').on('activities').column('number').unique().execute();
  await db.schema.createIndex('activities_account_at').on('activities').columns(['account_id', 'at']).execute();
  await db.schema.createIndex('activities_manager_at').on('activities').columns(['manager_id', 'at']).execute();
  await db.schema.createIndex('activities_follow_up_of').on('activities').column('follow_up_of').execute();
  await db.schema.createIndex('activities_contact').on('activities').column('contact_id').execute();
  await createRevTrigger(db);
}

/** As migration 0006's: an UPDATE that does not set rev itself bumps it by one. */
async function createRevTrigger(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // acctmgr_bump_rev() is migration 0006's function
    await sql`create trigger activities_rev before update on activities for each row execute function acctmgr_bump_rev()`.execute(db);
    return;
  }
  await sql`create trigger activities_rev after update on activities for each row when new.rev = old.rev
    begin update activities set rev = old.rev + 1 where id = new.id; end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger activities_rev${isPostgres(db) ? sql` on activities` : sql``}`.execute(db);
  await db.schema.dropTable('activities').execute();
  for (const [column] of LIMITS) await db.schema.alterTable('plans').dropColumn(column).execute();
}
