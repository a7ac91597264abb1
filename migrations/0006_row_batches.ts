// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { int, isPostgres } from './dialect.js';

/**
 * Which rows an import batch wrote, and whether anything changed them since, known exactly instead of by
 * id ranges and clocks (`import undo`):
 * - `import_batch_id` on every table an import writes: the batch that inserted the row (undo deletes
 *   the rows carrying its id; id ranges do not hold once several writers share a server database).
 * - `rev`, a per-row change counter that every UPDATE increments (the triggers below), and
 *   `import_batch_updates.rev_after`, the rev a batch left in a row it updated: undo compares them
 *   instead of updated_at, whose one-second resolution missed an edit made in the import's second.
 * Batches made before this migration are converted: their id ranges give their rows' import_batch_id,
 * and the clock (updated_at against the batch's time) decides, once, what counts as changed since.
 */

/** The tables an import writes (src/import/batch.ts BATCH_TABLES; migrations import nothing from src/). */
const TABLES = [
  'managers',
  'account_groups',
  'accounts',
  'contacts',
  'products',
  'plans',
  'plan_prices',
  'subscriptions',
  'seats',
  'login_events',
];
const NO_UPDATED_AT = new Set(['account_groups', 'login_events']);

export async function up(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) {
    await db.schema
      .alterTable(t)
      .addColumn('import_batch_id', int(db), (c) => c.references('import_batches.id'))
      .execute();
    await db.schema
      .alterTable(t)
      .addColumn('rev', int(db), (c) => c.notNull().defaultTo(0))
      .execute();
  }
  // -1: not known (never a row's rev), so an old image that cannot be proven current refuses the undo
  await db.schema
    .alterTable('import_batch_updates')
    .addColumn('rev_after', int(db), (c) => c.notNull().defaultTo(-1))
    .execute();
  await convertOldBatches(db);
  for (const t of TABLES) await createRevTrigger(db, t);
}

async function convertOldBatches(db: Kysely<any>): Promise<void> {
  const ranges = await db
    .selectFrom('import_batch_inserts as i')
    .innerJoin('import_batches as b', 'b.id', 'i.batch_id')
    .select(['i.batch_id', 'i.table_name', 'i.first_id', 'i.last_id', 'b.at'])
    .where('b.status', '=', 'applied')
    .execute();
  for (const r of ranges) {
    const inRange = (q: any) => q.where('id', '>=', r.first_id).where('id', '<=', r.last_id);
    await inRange(db.updateTable(r.table_name).set({ import_batch_id: r.batch_id })).execute();
    if (!NO_UPDATED_AT.has(r.table_name))
      await inRange(db.updateTable(r.table_name).set({ rev: 1 }))
        .where('updated_at', '!=', r.at)
        .execute();
  }
  for (const t of TABLES) {
    const current = NO_UPDATED_AT.has(t)
      ? sql<boolean>`exists (select 1 from ${sql.table(t)} x where x.id = import_batch_updates.row_id)`
      : sql<boolean>`(select x.updated_at from ${sql.table(t)} x where x.id = import_batch_updates.row_id) = (select b.at from import_batches b where b.id = import_batch_updates.batch_id)`;
    await db.updateTable('import_batch_updates').set({ rev_after: 0 }).where('table_name', '=', t).where(current).execute();
  }
}

/**
 * SQLite: after an UPDATE that did not set rev itself, rev = old rev + 1. (The inner UPDATE sets rev,
 * so the trigger does not run again.) An UPDATE that sets rev on purpose (undo restoring a row exactly
 * as it was) keeps its value. PostgreSQL: the same rule as a BEFORE UPDATE trigger (NEW.rev := OLD.rev + 1
 * when NEW.rev = OLD.rev). A later migration that rebuilds one of these tables (create, copy, drop,
 * rename) must create its trigger again.
 */
async function createRevTrigger(db: Kysely<any>, table: string): Promise<void> {
  if (isPostgres(db)) {
    await sql`create or replace function acctmgr_bump_rev() returns trigger language plpgsql as $$
      begin if new.rev = old.rev then new.rev := old.rev + 1; end if; return new; end $$`.execute(db);
    await sql`create trigger ${sql.id(`${table}_rev`)} before update on ${sql.table(table)} for each row execute function acctmgr_bump_rev()`.execute(
      db,
    );
    return;
  }
  await sql`create trigger ${sql.id(`${table}_rev`)} after update on ${sql.table(table)} for each row when new.rev = old.rev
    begin update ${sql.table(table)} set rev = old.rev + 1 where id = new.id; end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) {
    await sql`drop trigger ${sql.id(`${t}_rev`)}${isPostgres(db) ? sql` on ${sql.table(t)}` : sql``}`.execute(db);
    await db.schema.alterTable(t).dropColumn('rev').execute();
    await db.schema.alterTable(t).dropColumn('import_batch_id').execute();
  }
  await db.schema.alterTable('import_batch_updates').dropColumn('rev_after').execute();
  if (isPostgres(db)) await sql`drop function acctmgr_bump_rev()`.execute(db);
}
