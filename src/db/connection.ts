/**
 * The one way to open the database. A new file is created 0600 before SQLite touches it (SQLite gives
 * its -wal/-shm files the same mode). WAL + a 60 s busy timeout let a cron run and an admin overlap:
 * the second writer waits instead of failing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from './schema/index.js';
import { migrateToLatest } from './migrator.js';

export const BUSY_TIMEOUT_MS = 60_000;

export interface DbHandle {
  db: Kysely<DB>;
  sqlite: Database.Database;
  path: string;
  close(): Promise<void>;
}

/** `--db`, then ACCTMGR_DB, then $XDG_DATA_HOME/acctmgr/acctmgr.db (~/.local/share/acctmgr/acctmgr.db). */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.ACCTMGR_DB) return env.ACCTMGR_DB;
  const dataHome = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(dataHome, 'acctmgr', 'acctmgr.db');
}

export interface OpenOptions {
  /** Apply pending migrations (default true). `db status` opens without. */
  migrate?: boolean;
  /**
   * Open a database that a newer acctmgr migrated, as it is (`db status`, `db backup`); every other
   * command refuses it.
   */
  allowNewer?: boolean;
}

export async function openDb(file: string, options: OpenOptions = {}): Promise<DbHandle> {
  if (file !== ':memory:') createPrivateFile(file);
  const sqlite = new Database(file);
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // refused (SQLITE_BUSY) only while a large import holds the database in rollback-journal mode
  // (src/db/bulk.ts): this connection then waits for it like any reader, and the import puts WAL back
  trySetJournalMode(sqlite, 'WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  const handle: DbHandle = { db, sqlite, path: file, close: () => db.destroy() };
  try {
    await migrateToLatest(db, { apply: options.migrate !== false, allowNewer: options.allowNewer });
  } catch (e) {
    await handle.close();
    throw e;
  }
  return handle;
}

function createPrivateFile(file: string): void {
  if (fs.existsSync(file)) return;
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
    fs.chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Sets the journal mode; false when another connection holds the database (SQLITE_BUSY). */
export function trySetJournalMode(sqlite: Database.Database, mode: 'DELETE' | 'WAL'): boolean {
  try {
    return String(sqlite.pragma(`journal_mode = ${mode}`, { simple: true })).toUpperCase() === mode;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw e;
  }
}
