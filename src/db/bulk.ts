/**
 * Bulk loading on SQLite (PostgreSQL's: src/db/pg-bulk.ts). Keeping a B-tree index up to date while a million rows
 * arrive in random key order costs ≈ 6× the load itself; building the index afterwards from sorted keys
 * costs ≈ 1 s. So a large import drops a table's secondary indexes inside its write transaction and
 * recreates them, from the exact text SQLite stored, before it commits. DDL is transactional in SQLite:
 * a rollback, a crash or a SIGKILL brings the indexes back with the rows, and recreating a UNIQUE index
 * over rows that broke it fails (and rolls everything back) instead of committing them.
 */
import type Database from 'better-sqlite3';
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
 * stay; so does the INTEGER PRIMARY KEY. Partial indexes stay too: they hold only the rows their WHERE picks
 * (contacts_removed: the removed contacts, which a load seldom adds), so keeping them costs a test per row,
 * and rebuilding them a scan of the whole table. Synchronous (better-sqlite3's own statements): a bulk load
 * drops them just before its first INSERT, from a call that returns at once.
 */
export function suspendIndexes(sqlite: Database.Database, table: string): RestoreIndexes {
  const rows = sqlite
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null
      and name not in (select name from pragma_index_list(?) where partial = 1) order by name`,
    )
    .all(table, table) as IndexDef[];
  for (const ix of rows) sqlite.exec(`drop index "${ix.name.replace(/"/g, '""')}"`);
  const cache = pragma(sqlite, 'cache_size');
  return async (before) => {
    // CREATE INDEX sorts in memory up to the page cache's size, on top of the cache itself; a small
    // cache keeps a large import's memory flat and has the sort run in parts that helper threads sort
    // side by side; parts of 2 MB fit the processor's caches: a million contacts' two indexes take
    // ≈ 0.75 s (8 MB parts: ≈ 1.0–1.2 s, 64 MB: ≈ 1.4 s; 0.5–4 MB measured alike). Both are put back.
    const threads = pragma(sqlite, 'threads');
    sqlite.pragma(`cache_size = ${SORT_CACHE_SIZE}`);
    sqlite.pragma(`threads = ${SORT_THREADS}`);
    try {
      for (const ix of rows) {
        before?.();
        sqlite.exec(ix.sql);
      }
    } finally {
      sqlite.pragma(`cache_size = ${cache}`);
      sqlite.pragma(`threads = ${threads}`);
    }
  };
}

/**
 * A small page cache for a bulk load, from its start to the end of the import (each import sets its own:
 * src/import/bulk/session.ts). A bulk load reads the table's stored keys, and maybe its stored rows, once each
 * in order; without its indexes the table only grows at its end; and what an importer does after the load
 * (a logins file moves 200,000 seats' and contacts' last logins) touches rows all over: a large cache would
 * hold nothing worth keeping. A million contacts imported: ≈ 90 MB less RSS in the same time; imported again
 * (every row read): 310 → 234 MB; 400,000 login events: 296 → 196–212 MB, the same 8.2–8.3 s. A later file of
 * the same import written row by row (a large file into a much larger table) keeps the small cache too.
 */
export function loadCache(sqlite: Database.Database): void {
  sqlite.pragma(`cache_size = ${LOAD_CACHE_SIZE}`);
}

/** 2 MB (negative: KiB). */
const SORT_CACHE_SIZE = -2048;
/** 16 MB while the rows are loaded. */
const LOAD_CACHE_SIZE = -16384;
const SORT_THREADS = 2;

function pragma(sqlite: Database.Database, name: string): number {
  return Number(sqlite.pragma(name, { simple: true }));
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
