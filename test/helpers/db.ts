/**
 * Test databases. Every database a test uses is made here: `freshDb` (open, migrated, for service
 * tests), `seededDb` (a closed file filled by the seeder, for command-line tests), `tempDbPath` (a
 * place where the command line creates one), `dbMigratedTo` (an older schema) and `cloneDb`. The
 * same functions serve both engines (test/helpers/engine.ts): a location is a file path on SQLite and a
 * postgres:// URL on PostgreSQL (a database made from the run's migrated template: test/helpers/pg.ts).
 *
 * Closing a database runs the checks of `acctmgr db check` first: a test that leaves it damaged or
 * with foreign-key violations fails.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Migrator, type Kysely } from '#kysely';
import { migrations } from '../../migrations/index.js';
import { openDb, type DbHandle, type OpenOptions } from '../../src/db/connection.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import type { DB } from '../../src/db/schema/index.js';
import { WRITE_LOCK } from '../../src/db/tx.js';
import type { Op } from '../../src/op.js';
import { onPostgres } from './engine.js';
import { createPgDatabase, dropPgDatabase } from './pg.js';
import { seeder, type Seeder } from './seed.js';

export function tempDir(prefix = 'acctmgr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Where a new SQLite file goes (nothing there yet: the command line creates and migrates it). SQLite only. */
export function tempDbPath(): string {
  return path.join(tempDir(), 'test.db');
}

/**
 * A new database's location, as a test's first command finds it: on SQLite a path where the command
 * line creates and migrates it; on PostgreSQL a migrated, empty database (there migrations run only
 * through `db migrate`, and the database must exist).
 */
export async function newDbLocation(): Promise<string> {
  return onPostgres ? createPgDatabase() : tempDbPath();
}

/** Opens a test database (the environment's PGPASSWORD and friends apply on PostgreSQL). */
export function openTestDb(location: string, options: OpenOptions = {}): Promise<DbHandle> {
  return openDb(location, { env: process.env, ...options });
}

export interface TestDb {
  db: Kysely<DB>;
  handle: DbHandle;
  /** the location, for `--db` */
  path: string;
  /** the seeder, bound to this database */
  seed: Seeder;
  /** checks the database (throws unless clean), closes it; removes it unless kept */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** A new, migrated database, open. */
export async function freshDb(): Promise<TestDb> {
  return open(await newDbLocation());
}

async function open(file: string): Promise<TestDb> {
  const handle = await openTestDb(file);
  let seed: Seeder | undefined;
  return {
    db: handle.db,
    handle,
    path: file,
    get seed() {
      return (seed ??= seeder(handle.db));
    },
    close: async (options = {}) => {
      const report = await checkDatabase(handle);
      await handle.close();
      if (!options.keep) await removeDb(file);
      if (!report.ok) throw new Error(`db check is not clean after the test: ${JSON.stringify(report)}`);
    },
  };
}

/** A new database (at `at`) filled by `fill` (the seeder, services) and closed: its location, for the command line. */
export async function seededDb(fill: (t: TestDb) => Promise<void>, at?: string): Promise<string> {
  const t = await open(at ?? (await newDbLocation()));
  try {
    await fill(t);
  } finally {
    await t.close({ keep: true });
  }
  return t.path;
}

/**
 * A new database with the migrations up to `last` applied and no further, open without migrating: a
 * database as an older acctmgr left it, for the upgrade tests.
 */
export async function dbMigratedTo(last: string, at?: string): Promise<DbHandle> {
  const location = at ?? (onPostgres ? await createPgDatabase('empty') : tempDbPath());
  const h = await openTestDb(location, { migrate: false });
  const result = await new Migrator({ db: h.db, provider: { getMigrations: async () => migrations } }).migrateTo(last);
  if (result.error) {
    await h.close();
    throw result.error;
  }
  return h;
}

/** A copy of a closed database at a new location. */
export async function cloneDb(from: string): Promise<string> {
  if (onPostgres) return createPgDatabase(nameOfUrl(from));
  const to = tempDbPath();
  fs.copyFileSync(from, to);
  return to;
}

/** Removes a test database (on SQLite its folder; on PostgreSQL the database, whoever is still connected). */
export async function removeDb(location: string): Promise<void> {
  if (location.startsWith('postgres://')) await dropPgDatabase(location);
  else fs.rmSync(path.dirname(location), { recursive: true, force: true });
}

function nameOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** For tests that need several databases: each call gives a fresh one; all are closed and checked after each test. */
export function eachTestDbs(): () => Promise<TestDb> {
  const made: TestDb[] = [];
  afterEach(async () => {
    for (const t of made.splice(0)) await t.close();
  });
  return async () => {
    const t = await freshDb();
    made.push(t);
    return t;
  };
}

/**
 * A fresh database for every test of the calling file (optionally seeded), closed and checked after
 * each. The object stays the same; what it points to is the current test's database.
 */
export function eachTestDb(fill?: (t: TestDb) => Promise<void>): TestDb {
  let current: TestDb | undefined;
  beforeEach(async () => {
    current = await freshDb();
    await fill?.(current);
  });
  afterEach(async () => {
    const t = current;
    current = undefined;
    await t?.close();
  });
  const now = (): TestDb => {
    if (!current) throw new Error('eachTestDb: used outside a test');
    return current;
  };
  return {
    get db() {
      return now().db;
    },
    get handle() {
      return now().handle;
    },
    get path() {
      return now().path;
    },
    get seed() {
      return now().seed;
    },
    close: (options) => now().close(options),
  };
}

export function testOp(over: Partial<Op> = {}): Op {
  return { actor: 'tester', asOf: '2026-11-25', today: '2026-11-25', now: '2026-11-25T09:00:00Z', ...over };
}

/** Takes the lock every write transaction queues on (src/db/tx.ts) from another connection; returns its release. */
export async function holdWriteLock(db: string): Promise<() => Promise<void>> {
  const lock = await openTestDb(db);
  if (lock.sqlite) {
    lock.sqlite.exec('begin immediate');
    return async () => {
      lock.sqlite!.exec('rollback');
      await lock.close();
    };
  }
  const client = await lock.pool!.connect();
  await client.query('select pg_advisory_lock($1)', [WRITE_LOCK]);
  return async () => {
    await client.query('select pg_advisory_unlock($1)', [WRITE_LOCK]);
    client.release();
    await lock.close();
  };
}

/** Writes a page of garbage over the first page of a table of a SQLite file (a damaged database, SQLite only). */
export function garbleTable(file: string, table: string): void {
  const raw = new Database(file, { readonly: true });
  const { rootpage } = raw.prepare(`select rootpage from sqlite_master where name = ?`).get(table) as { rootpage: number };
  raw.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (rootpage - 1) * 4096);
  fs.closeSync(fd);
}
