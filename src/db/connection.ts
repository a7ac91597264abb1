/**
 * The one way to open the database: a SQLite file or a PostgreSQL URL (src/db/target.ts says which). A new file is created 0600 before SQLite touches it (SQLite gives
 * its -wal/-shm files the same mode). WAL + a 60 s busy timeout let a cron run and an admin overlap:
 * the second writer waits instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from '#kysely';
import type pg from 'pg';
import { RefusedError } from '../errors.js';
import type { DB } from './schema/index.js';
import { migrateToLatest, migrationStatus, type MigrateOptions } from './migrator.js';
import { parseDbValue, redact, type DbTarget } from './target.js';
import { ChunkedSqliteDialect } from './sqlite-dialect.js';
import type { PgConnect } from './pg-config.js';

export const BUSY_TIMEOUT_MS = 60_000;

export interface DbHandle {
  db: Kysely<DB>;
  engine: 'sqlite' | 'postgres';
  /** SQLite only: the connection under kysely (online backup, pragmas, the import's prepared statements) */
  sqlite?: Database.Database;
  /** PostgreSQL only: the pool under kysely (COPY, session locks) */
  pool?: pg.Pool;
  /** PostgreSQL only: how the pool connects, as plain data (a worker thread's connection: beside.ts) */
  pgConnect?: PgConnect;
  /** how the database is named in messages: the file, or the URL without its password */
  path: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Apply pending migrations. SQLite: default true (a new file is created and migrated on first use).
   * PostgreSQL: only when true (`db migrate`): by default a database with pending migrations is refused,
   * so that one newer client never migrates a database the rest of the team still uses. false: neither
   * apply nor require (`db status`, `db backup`).
   */
  migrate?: boolean;
  /**
   * Open a database that a newer acctmgr migrated, as it is (`db status`, `db backup`); every other
   * command refuses it.
   */
  allowNewer?: boolean;
  /** PostgreSQL's PGPASSWORD, PGSSLMODE, … (the command's environment) */
  env?: NodeJS.ProcessEnv;
  /** PostgreSQL: where a warning goes (a password file that others can read is ignored with one) */
  warn?: (text: string) => void;
  /**
   * SQLite: create the file when it does not exist (default true). Commands that only read — and
   * `remind` and dry runs, which cron runs — pass false: a mistyped path is refused instead of becoming
   * a new, empty database and a silent success. PostgreSQL never creates a database.
   */
  create?: boolean;
}

/** A SQLite file path, or a postgres:// URL (from the environment or a config file: a password is allowed). */
export async function openDb(location: string, options: OpenOptions = {}): Promise<DbHandle> {
  return openTarget(parseDbValue(location, 'environment'), options);
}

export async function openTarget(target: DbTarget, options: OpenOptions = {}): Promise<DbHandle> {
  const handle = target.kind === 'postgres' ? await connectPostgres(target.url, options) : openSqlite(target.path, options.create ?? true);
  try {
    const apply = options.migrate ?? handle.engine === 'sqlite';
    await applyMigrations(handle, { apply, allowNewer: options.allowNewer });
    if (options.migrate === undefined && !apply) await requireCurrent(handle);
  } catch (e) {
    await handle.close();
    throw e;
  }
  handles.set(handle.db, handle);
  return handle;
}

/** The handle of each open database, by its Kysely instance (not a transaction's): for the seam's fast paths. */
const handles = new WeakMap<Kysely<DB>, DbHandle>();

/**
 * The handle of a Kysely instance that openTarget made, or undefined (a transaction, a Kysely made
 * elsewhere): for the fast paths of src/db/rows.ts and the parts of src/db/beside.ts.
 */
export function handleOf(db: Kysely<DB>): DbHandle | undefined {
  return handles.get(db);
}

/** `alias` (a SQLite write transaction's connection: the same better-sqlite3 connection) has db's handle. */
export function shareHandle(alias: Kysely<DB>, db: Kysely<DB>): void {
  const h = handles.get(db);
  if (h) handles.set(alias, h);
}

/** The pending migrations applied (their names); on SQLite under the write lock, so that concurrent first uses migrate once. */
export async function applyMigrations(handle: DbHandle, options: MigrateOptions = {}): Promise<string[]> {
  const exclusive = handle.engine === 'sqlite' ? <T>(fn: () => Promise<T>) => immediate(handle.db, fn) : undefined;
  return migrateToLatest(handle.db, { ...options, exclusive });
}

/** fn inside BEGIN IMMEDIATE … COMMIT on SQLite's one connection (SQLite's DDL is transactional: all or nothing). */
async function immediate<T>(db: Kysely<DB>, fn: () => Promise<T>): Promise<T> {
  await sql`begin immediate`.execute(db);
  try {
    const result = await fn();
    await sql`commit`.execute(db);
    return result;
  } catch (e) {
    await sql`rollback`.execute(db);
    throw e;
  }
}

function openSqlite(file: string, create: boolean): DbHandle {
  if (file !== ':memory:') {
    if (!create && !fs.existsSync(file)) throw new RefusedError(`no database at ${file} (create one with \`acctmgr db migrate\`)`);
    createPrivateFile(file);
  }
  const sqlite = new Database(file);
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // refused (SQLITE_BUSY) only while a large import holds the database in rollback-journal mode
  // (src/db/bulk.ts): this connection then waits for it like any reader, and the import puts WAL back
  trySetJournalMode(sqlite, 'WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new ChunkedSqliteDialect(sqlite) });
  return { db, engine: 'sqlite', sqlite, path: file, close: () => db.destroy() };
}

async function connectPostgres(url: string, options: OpenOptions): Promise<DbHandle> {
  const { openPostgres } = await import('./postgres.js');
  const h = await openPostgres(url, options.env ?? {}, { warn: options.warn });
  return { db: h.db, engine: 'postgres', pool: h.pool, pgConnect: h.connect, path: redact(url), close: () => h.close() };
}

/** PostgreSQL: every command but `db migrate` needs the schema this build expects. */
async function requireCurrent(h: DbHandle): Promise<void> {
  const status = await migrationStatus(h.db);
  const pending = status.filter((m) => !m.applied);
  if (pending.length === 0) return;
  if (pending.length === status.length) throw noSchema(h);
  throw new RefusedError(
    `the database ${h.path} is older than this acctmgr (pending: ${pending.map((m) => m.name).join(', ')})`,
    MIGRATE_HINT.postgres,
  );
}

const MIGRATE_HINT = {
  postgres: 'run acctmgr db migrate (on PostgreSQL, migrations run only when asked)',
  sqlite: 'run acctmgr db migrate (on SQLite any other command also migrates it on first use)',
} as const;

/** A database without any acctmgr migration applied, refused by a command that migrates nothing (`db check`; on PostgreSQL every command but `db migrate`). */
export function noSchema(h: DbHandle): RefusedError {
  return new RefusedError(`the database ${h.path} has no acctmgr schema yet`, MIGRATE_HINT[h.engine]);
}

/**
 * The SQLite connection of a handle, for what is not yet written for PostgreSQL: there it refuses
 * with exit 1 naming the command (never a crash, never a silent no-op).
 */
export function sqliteOnly(h: DbHandle, what: string): Database.Database {
  if (h.sqlite) return h.sqlite;
  throw new RefusedError(`${what} does not work on PostgreSQL yet`, 'use a SQLite database for it for now');
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
