/**
 * `import history` and `import undo BATCH`. Undo removes the rows carrying the batch's id and restores
 * the before-images of the rows it updated, in the caller's one transaction. It refuses, naming the
 * rows, when anything changed them later: a rev other than the one the batch left (every UPDATE
 * increments it: migration 0006), a later batch that touched them, rows removed since, or rows added
 * since that refer to rows the batch inserted.
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DbHandle } from '../db/connection.js';
import { foreignKeyColumns } from '../db/foreign-keys.js';
import type { DB } from '../db/schema/index.js';
import { MAX_PRIMARY_CONTACTS } from '../contacts/fields.js';
import { seatsOfOtherAccounts, seatsOfRemovedContacts } from '../db/seat-accounts.js';
import { NotFoundError, RefusedError } from '../errors.js';
import { checkFilter } from '../lib/checks.js';
import { withKeys } from '../db/schema/key-columns.js';
import type { Op } from '../op.js';
import { BATCH_TABLES } from './batch.js';
import { openStatements } from './open-statements.js';
import { isPromise, type AnyStatements, type Maybe, type Row } from './statements.js';

/** A batch as `import history` shows it: its row without the summary, the id named batch_id. */
export type BatchRecord = { batch_id: number } & Omit<Selectable<DB['import_batches']>, 'id' | 'summary_json'>;

export async function importHistory(db: Kysely<DB>, limit?: number): Promise<BatchRecord[]> {
  checkFilter({ name: 'limit', type: 'int', min: 1 }, limit);
  let q = db.selectFrom('import_batches').selectAll().orderBy('id', 'desc');
  if (limit !== undefined) q = q.limit(limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    batch_id: r.id,
    at: r.at,
    actor: r.actor,
    entity: r.entity,
    source: r.source,
    status: r.status,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    rejected: r.rejected,
    undone_at: r.undone_at,
  }));
}

/** Column that names a row of each table in messages. */
const NAME_COLUMN: Record<string, string> = {
  managers: 'login',
  account_groups: 'name',
  accounts: 'external_id',
  contacts: 'email',
  products: 'code',
  plans: 'code',
  subscriptions: 'external_id',
  activities: 'number',
  requests: 'number',
  trainings: 'number',
  invoices: 'number',
};
/**
 * Rows an import writes with their parent, outside BATCH_TABLES: they go when the parent is deleted
 * (ON DELETE CASCADE), and changing them by hand (accounts edit) changes the parent's rev too.
 */
const OWNED_BY: Record<string, string> = { account_field_values: 'accounts' };
const SHOW = 5;

export interface UndoResult {
  batch_id: number;
  deleted: number;
  restored: number;
}

export async function undoBatch(db: Kysely<DB>, h: DbHandle, op: Op, id: number): Promise<UndoResult> {
  const batch = await db.selectFrom('import_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!batch) throw new NotFoundError('import batch', String(id), 'list batches with: acctmgr import history');
  if (batch.status === 'undone') throw new RefusedError(`import batch ${id} was already undone (${batch.undone_at})`);
  const counts = await insertedCounts(db, id);
  const problems = await laterChanges(db, id, counts);
  if (problems.length > 0) {
    throw new RefusedError(
      `import batch ${id} cannot be undone: rows it wrote were changed later\n  ${problems.join('\n  ')}`,
      'undo the later import batches first (acctmgr import history), or change the rows back by hand',
    );
  }
  const before = await ruleBreaches(db);
  const statements = openStatements(h, db);
  const restored = await restoreUpdates(statements, id);
  let deleted = 0;
  for (const t of [...BATCH_TABLES].reverse()) {
    if (counts.has(t)) deleted += Number((await db.deleteFrom(t).where('import_batch_id', '=', id).executeTakeFirst()).numDeletedRows);
  }
  // the rows brought back were right when the batch replaced them, not necessarily now (the caller's
  // transaction rolls everything back)
  const broken = newBreaches(before, await ruleBreaches(db));
  if (broken.length > 0)
    throw new RefusedError(
      `import batch ${id} cannot be undone: the rows it would bring back break a rule now\n  ${broken.join('\n  ')}`,
      'change the rows named first (acctmgr contacts edit, acctmgr seats remove), then undo',
    );
  await db.updateTable('import_batches').set({ status: 'undone', undone_at: op.now }).where('id', '=', id).execute();
  const result = { batch_id: id, deleted, restored };
  await audit(db, op, { action: 'undo', entity: 'import', key: String(id), after: result });
  return result;
}

/**
 * What the rules an undo can break by restoring old rows hold against now, as readable lines: accounts over the
 * primary-contact limit, live seats of another account's contact, live seats of a removed contact. (An import
 * and the commands keep them going forward; a restored row skips them.)
 */
async function ruleBreaches(db: Kysely<DB>): Promise<Set<string>> {
  const out = new Set<string>();
  const primaries = await db
    .selectFrom('contacts as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .select(['a.external_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('c.is_primary', '=', 1)
    .where('c.status', '!=', 'removed')
    .groupBy('a.external_id')
    .having((eb) => eb.fn.countAll(), '>', MAX_PRIMARY_CONTACTS)
    .execute();
  for (const r of primaries)
    out.add(`account ${r.external_id} would have ${String(r.n)} primary contacts (the limit is ${MAX_PRIMARY_CONTACTS})`);
  for (const s of await seatsOfOtherAccounts(db, SHOW))
    out.add(
      `the seat of ${s.email} on ${s.subscription_external_id} would be live, its contact of account ${s.contact_account_external_id}`,
    );
  for (const r of await seatsOfRemovedContacts(db, SHOW))
    out.add(`the seat of ${r.email} on ${r.external_id} would be live, its contact removed`);
  return out;
}

/** The breaches `after` has that `before` had not (a database that broke a rule already is not the undo's doing). */
function newBreaches(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((line) => !before.has(line));
}

/** Rows the batch inserted, per table. */
async function insertedCounts(db: Kysely<DB>, id: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('import_batch_inserts')
    .select(['table_name', (eb) => eb.fn.sum<number>('row_count').as('n')])
    .where('batch_id', '=', id)
    .groupBy('table_name')
    .execute();
  return new Map(rows.map((r) => [r.table_name, Number(r.n)]));
}

/** The names (NAME_COLUMN) of the rows of `table` that `query` selects as `x` (`query` gets the column). */
async function names(db: Kysely<DB>, table: string, query: (col: RawBuilder<unknown>) => RawBuilder<Row>): Promise<string> {
  const rows = (await query(sql.ref(NAME_COLUMN[table] ?? 'id')).execute(db)).rows;
  return rows.map((r) => String(r.v)).join(', ');
}

/**
 * Every later change that makes the undo unsafe, as readable lines (at most a few rows named each). A
 * row is unchanged since the batch exactly when its rev is the one the batch left: 0 for a row it
 * inserted, rev_after of its newest image for a row it updated.
 */
async function laterChanges(db: Kysely<DB>, id: number, counts: ReadonlyMap<string, number>): Promise<string[]> {
  const out: string[] = [];
  for (const [t, count] of counts) {
    const table = sql.table(t);
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${table} where import_batch_id = ${id}`.execute(db);
    const now = Number(rows[0]!.n);
    if (now < count) out.push(`${t}: ${count - now} row(s) this batch inserted were removed since`);
    const v = await names(
      db,
      t,
      (col) => sql<Row>`select ${col} as v from ${table} where import_batch_id = ${id} and rev <> 0 order by id limit ${SHOW}`,
    );
    if (v) out.push(`${t} changed since: ${v}`);
  }
  for (const t of BATCH_TABLES) {
    const v = await names(
      db,
      t,
      (col) => sql<Row>`select x.${col} as v from import_batch_updates u join ${sql.table(t)} x on x.id = u.row_id
       where u.batch_id = ${id} and u.table_name = ${t} and x.rev <> u.rev_after
         and not exists (select 1 from import_batch_updates n where n.table_name = u.table_name and n.row_id = u.row_id and n.batch_id = u.batch_id and n.id > u.id)
       order by x.id limit ${SHOW}`,
    );
    if (v) out.push(`${t} changed since: ${v}`);
  }
  const later = await laterBatches(db, id, counts);
  if (later.length > 0) out.push(`later import batch(es) ${later.join(', ')} changed the same rows`);
  out.push(...(await dependents(db, id, counts)));
  return out;
}

/** Applied batches after this one that updated rows this one inserted or updated. */
async function laterBatches(db: Kysely<DB>, id: number, counts: ReadonlyMap<string, number>): Promise<number[]> {
  const later = sql`select distinct u.batch_id as v from import_batch_updates u join import_batches b on b.id = u.batch_id where u.batch_id > ${id} and b.status = 'applied'`;
  const found = new Set<number>();
  const add = async (query: RawBuilder<Row>) => {
    for (const r of (await query.execute(db)).rows) found.add(Number(r.v));
  };
  await add(
    sql<Row>`${later} and exists (select 1 from import_batch_updates o where o.batch_id = ${id} and o.table_name = u.table_name and o.row_id = u.row_id) order by 1 limit ${SHOW}`,
  );
  for (const t of counts.keys()) {
    await add(
      sql<Row>`${later} and u.table_name = ${t} and exists (select 1 from ${sql.table(t)} x where x.id = u.row_id and x.import_batch_id = ${id}) order by 1 limit ${SHOW}`,
    );
  }
  return [...found].sort((a, b) => a - b).slice(0, SHOW);
}

/** Rows outside the batch that refer (by foreign key) to rows the batch inserted. */
async function dependents(db: Kysely<DB>, id: number, counts: ReadonlyMap<string, number>): Promise<string[]> {
  const out: string[] = [];
  for (const fk of await foreignKeyColumns(db)) {
    const { child, from } = fk;
    if (!counts.has(fk.parent) || OWNED_BY[child] === fk.parent) continue;
    // the batch's own rows go, and the rows it updated get their before-images back
    const own = (BATCH_TABLES as readonly string[]).includes(child)
      ? sql` and c.import_batch_id is distinct from ${id} and not exists (select 1 from import_batch_updates u where u.batch_id = ${id} and u.table_name = ${child} and u.row_id = c.id)`
      : sql``;
    const parent = sql.table(fk.parent);
    const v = await names(
      db,
      fk.parent,
      (col) => sql<Row>`select distinct p.${col} as v from ${sql.table(child)} c join ${parent} p on p.id = c.${sql.ref(from)}
         where c.${sql.ref(from)} in (select id from ${parent} where import_batch_id = ${id})${own} order by 1 limit ${SHOW}`,
    );
    if (v) out.push(`${fk.parent} ${v}: referred to by ${child} added since`);
  }
  return out;
}

/**
 * Puts every updated row back as it was (accounts with their custom field values; stored key columns
 * from the restored keys). Newest image first:
 * a row that one batch changed twice (seats, then their logins) ends at its oldest image.
 */
async function restoreUpdates(statements: AnyStatements, id: number): Promise<number> {
  let restored = 0;
  let after = Number.MAX_SAFE_INTEGER;
  const page = statements.all(
    statements.db
      .selectFrom('import_batch_updates')
      .select(['id', 'table_name', 'row_id', 'before_json'])
      .where('batch_id', '=', 0)
      .where('id', '<', 0)
      .orderBy('id', 'desc')
      .limit(5000),
  );
  const updaters = new Map<string, (rowId: number, values: readonly unknown[]) => Maybe<void>>();
  for (;;) {
    const rows = (await page(id, after, 5000)) as { id: number; table_name: string; row_id: number; before_json: string }[];
    if (rows.length === 0) return restored;
    for (const r of rows) {
      const before = JSON.parse(r.before_json) as Row;
      const { id: _id, __fields: fields, ...image } = before;
      // an image taken before the key columns existed gets them from its keys
      const cols = withKeys(r.table_name, image);
      const names = Object.keys(cols);
      const key = `${r.table_name}:${names.join(',')}`;
      let up = updaters.get(key);
      if (!up) updaters.set(key, (up = statements.updater(r.table_name, names)));
      const done = up(r.row_id, Object.values(cols));
      if (isPromise(done)) await done;
      if (fields) await restoreFields(statements, r.row_id, fields as Record<string, string>);
      restored++;
      after = r.id;
    }
  }
}

async function restoreFields(statements: AnyStatements, accountId: number, fields: Record<string, string>): Promise<void> {
  await statements.run(statements.db.deleteFrom('account_field_values').where('account_id', '=', 0))([accountId]);
  // a plain INSERT: the table has no id column for an inserter's RETURNING id (PostgreSQL)
  const ins = statements.run(statements.db.insertInto('account_field_values').values({ account_id: 0, field_id: 0, value: '' }));
  for (const [fieldId, value] of Object.entries(fields)) await ins([accountId, Number(fieldId), value]);
}
