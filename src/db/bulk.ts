/**
 * Bulk loading (SQLite only; a no-op elsewhere). Keeping a B-tree index up to date while a million rows
 * arrive in random key order costs ≈ 6× the load itself; building the index afterwards from sorted keys
 * costs ≈ 1 s. So a large import drops a table's secondary indexes inside its write transaction and
 * recreates them, from the exact text SQLite stored, before it commits. DDL is transactional in SQLite:
 * a rollback, a crash or a SIGKILL brings the indexes back with the rows, and recreating a UNIQUE index
 * over rows that broke it fails (and rolls everything back) instead of committing them.
 */
import type Database from 'better-sqlite3';
import { SqliteAdapter, sql, type Kysely } from '#kysely';
import { trySetJournalMode } from './connection.js';

/** Recreates the indexes that `suspendIndexes` dropped; call it inside the same transaction. `before` runs before each. */
export type RestoreIndexes = (before?: () => void) => Promise<void>;

interface IndexDef {
  name: string;
  sql: string;
}

/**
 * Drops the secondary indexes of `table` (call inside a write transaction) and returns the function
 * that recreates them. Indexes SQLite made for a table constraint (`sql` is null) cannot be dropped and
 * stay; so do the INTEGER PRIMARY KEY and any index of another dialect. Partial indexes stay too: they
 * hold only the rows their WHERE picks (contacts_removed: the removed contacts, which a load seldom
 * adds), so keeping them costs a test per row, and rebuilding them a scan of the whole table.
 */
export async function suspendIndexes(db: Kysely<any>, table: string): Promise<RestoreIndexes> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return async () => undefined;
  const { rows } = await sql<IndexDef>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null
      and name not in (select name from pragma_index_list(${table}) where partial = 1) order by name`.execute(db);
  for (const ix of rows) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  // without its indexes the table only grows at its end: a large page cache would hold nothing worth
  // keeping (≈ 90 MB less RSS for a million contacts, same time); put back after the rebuild
  const cache = await pragma(db, 'cache_size');
  await sql.raw(`pragma cache_size = ${LOAD_CACHE_SIZE}`).execute(db);
  return async (before) => {
    // CREATE INDEX sorts in memory up to the page cache's size, on top of the cache itself; a small
    // cache keeps a large import's memory flat and has the sort run in parts that helper threads sort
    // side by side; parts of 2 MB fit the processor's caches: a million contacts' two indexes take
    // ≈ 0.75 s (8 MB parts: ≈ 1.0–1.2 s, 64 MB: ≈ 1.4 s; 0.5–4 MB measured alike). Both are put back.
    const threads = await pragma(db, 'threads');
    await sql.raw(`pragma cache_size = ${SORT_CACHE_SIZE}`).execute(db);
    await sql.raw(`pragma threads = ${SORT_THREADS}`).execute(db);
    try {
      for (const ix of rows) {
        before?.();
        await sql.raw(ix.sql).execute(db);
      }
    } finally {
      await sql.raw(`pragma cache_size = ${cache}`).execute(db);
      await sql.raw(`pragma threads = ${threads}`).execute(db);
    }
  };
}

/** 2 MB (negative: KiB). */
const SORT_CACHE_SIZE = -2048;
/** 16 MB while the rows are loaded. */
const LOAD_CACHE_SIZE = -16384;
const SORT_THREADS = 2;

async function pragma(db: Kysely<any>, name: string): Promise<number> {
  const { rows } = await sql.raw<Record<string, number>>(`pragma ${name}`).execute(db);
  return Number(rows[0]?.[name]);
}

/**
 * Foreign-key enforcement off for one bulk import (SQLite only; elsewhere `fn` runs as it is).
 *
 * With `foreign_keys` on, SQLite looks up the parent of every inserted row: for a million contacts
 * that is a million probes of `accounts` (≈ 1.1 s, a third of the insert time), all redundant, because
 * every account id the importer inserts was itself read from `accounts` inside the same write
 * transaction (which holds the write lock, so no one can delete it meanwhile). The pragma cannot change
 * inside a transaction, so it is turned off here before BEGIN and put back in a `finally` after
 * COMMIT or ROLLBACK. In exchange the caller must prove, before it commits, that every reference it
 * wrote exists: `missingIds` over the distinct parent ids (≤ the parent table's size, a few queries).
 * Only for an import whose every referencing write is covered by such a check (one contacts file).
 */
export async function withoutForeignKeys<T>(sqlite: Database.Database, fn: () => Promise<T>): Promise<T> {
  if (!sqlite.pragma('foreign_keys', { simple: true })) return fn();
  sqlite.pragma('foreign_keys = OFF');
  try {
    return await fn();
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

/**
 * A rollback journal instead of WAL for one large import, when this connection is the database's only
 * user (SQLite only; otherwise `fn` runs as it is, in WAL mode).
 *
 * In WAL mode every page a large import writes is written twice: into the WAL during the transaction
 * and into the database file by the checkpoint after COMMIT. A rollback journal only saves the original
 * content of pages that existed before, and the pages a bulk load appends have none: a million contacts
 * take ≈ 2.8 s of SQLite instead of ≈ 4.6 s. The journal mode cannot change while another connection
 * has the database open (SQLite refuses at once: SQLITE_BUSY), so then nothing changes. Readers that
 * open the database during the import wait for its commit (busy_timeout) instead of reading beside it;
 * WAL is put back after COMMIT or ROLLBACK. A crash in between leaves a hot journal that SQLite rolls
 * back on the next open, exactly as it would replay a WAL, and `openDb` turns WAL back on.
 */
export async function withRollbackJournal<T>(sqlite: Database.Database, fn: (switched: boolean) => Promise<T>): Promise<T> {
  if (sqlite.memory || sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return fn(false);
  if (!trySetJournalMode(sqlite, 'DELETE')) return fn(false);
  try {
    return await fn(true);
  } finally {
    // refused only while another connection is reading; the next `openDb` then turns WAL back on
    trySetJournalMode(sqlite, 'WAL');
  }
}

/** Whether this connection enforces foreign keys (when off, writers check their references: above). */
export function foreignKeysEnforced(sqlite: Database.Database): boolean {
  return Boolean(sqlite.pragma('foreign_keys', { simple: true }));
}

/** The ids that are not the `id` of any row of `table` (empty: every reference holds); one query. */
export function missingIds(sqlite: Database.Database, table: string, ids: Iterable<number>): number[] {
  const list = JSON.stringify([...ids]);
  const query = `select value from json_each(?) where value not in (select id from "${table.replace(/"/g, '""')}")`;
  return sqlite.prepare(query).pluck().all(list) as number[];
}
