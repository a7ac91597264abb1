/**
 * Bulk loading (SQLite only; a no-op elsewhere). Keeping a B-tree index up to date while a million rows
 * arrive in random key order costs ≈ 6× the load itself; building the index afterwards from sorted keys
 * costs ≈ 1 s. So a large import drops a table's secondary indexes inside its write transaction and
 * recreates them, from the exact text SQLite stored, before it commits. DDL is transactional in SQLite:
 * a rollback, a crash or a SIGKILL brings the indexes back with the rows, and recreating a UNIQUE index
 * over rows that broke it fails (and rolls everything back) instead of committing them.
 */
import { SqliteAdapter, sql, type Kysely } from 'kysely';

/** Recreates the indexes that `suspendIndexes` dropped; call it inside the same transaction. */
export type RestoreIndexes = () => Promise<void>;

interface IndexDef {
  name: string;
  sql: string;
}

/**
 * Drops the secondary indexes of `table` (call inside a write transaction) and returns the function
 * that recreates them. Indexes SQLite made for a table constraint (`sql` is null) cannot be dropped and
 * stay; so do the INTEGER PRIMARY KEY and any index of another dialect.
 */
export async function suspendIndexes(db: Kysely<any>, table: string): Promise<RestoreIndexes> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return async () => undefined;
  const { rows } = await sql<IndexDef>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null order by name`.execute(db);
  for (const ix of rows) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  return async () => {
    // CREATE INDEX sorts in memory up to the page cache's size, on top of the cache itself; a small
    // cache keeps a large import's memory flat and has the sort run in parts that helper threads sort
    // side by side (≈ 1.0 s instead of ≈ 1.4 s for a million contacts). Both settings are put back.
    const cache = await pragma(db, 'cache_size');
    const threads = await pragma(db, 'threads');
    await sql.raw(`pragma cache_size = ${SORT_CACHE_SIZE}`).execute(db);
    await sql.raw(`pragma threads = ${SORT_THREADS}`).execute(db);
    try {
      for (const ix of rows) await sql.raw(ix.sql).execute(db);
    } finally {
      await sql.raw(`pragma cache_size = ${cache}`).execute(db);
      await sql.raw(`pragma threads = ${threads}`).execute(db);
    }
  };
}

/** 8 MB (negative: KiB). */
const SORT_CACHE_SIZE = -8192;
const SORT_THREADS = 2;

async function pragma(db: Kysely<any>, name: string): Promise<number> {
  const { rows } = await sql.raw<Record<string, number>>(`pragma ${name}`).execute(db);
  return Number(rows[0]?.[name]);
}
