/**
 * Test databases. Every database a test uses is made here: `freshDb` (open, migrated, for service
 * tests), `seededDb` (a closed file filled by the seeder, for command-line tests), `tempDbPath` (a
 * place where the command line creates one), `dbMigratedTo` (an older schema) and `cloneDb`. The
 * PostgreSQL issue parameterises these few functions by dialect; tests only see a handle or a location.
 *
 * Closing a database runs the checks of `acctmgr db check` first: a test that leaves it damaged or
 * with foreign-key violations fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Migrator, type Kysely } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { openDb, type DbHandle } from '../../src/db/connection.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import type { DB } from '../../src/db/schema/index.js';
import type { Op } from '../../src/op.js';
import { seeder, type Seeder } from './seed.js';

export function tempDir(prefix = 'acctmgr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Where a new database goes (nothing there yet: the command line creates and migrates it). */
export function tempDbPath(): string {
  return path.join(tempDir(), 'test.db');
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
export function freshDb(): Promise<TestDb> {
  return open(tempDbPath());
}

async function open(file: string): Promise<TestDb> {
  const handle = await openDb(file);
  let seed: Seeder | undefined;
  return {
    db: handle.db,
    handle,
    path: file,
    get seed() {
      return (seed ??= seeder(handle.db));
    },
    close: async (options = {}) => {
      const report = checkDatabase(handle);
      await handle.close();
      if (!options.keep) removeDb(file);
      if (!report.ok) throw new Error(`db check is not clean after the test: ${JSON.stringify(report)}`);
    },
  };
}

/** A new database (at `at`) filled by `fill` (the seeder, services) and closed: its location, for the command line. */
export async function seededDb(fill: (t: TestDb) => Promise<void>, at = tempDbPath()): Promise<string> {
  const t = await open(at);
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
export async function dbMigratedTo(last: string, at = tempDbPath()): Promise<DbHandle> {
  const h = await openDb(at, { migrate: false });
  const result = await new Migrator({ db: h.db, provider: { getMigrations: async () => migrations } }).migrateTo(last);
  if (result.error) {
    await h.close();
    throw result.error;
  }
  return h;
}

/** A copy of a closed database at a new location. */
export function cloneDb(from: string): string {
  const to = tempDbPath();
  fs.copyFileSync(from, to);
  return to;
}

export function removeDb(file: string): void {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
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
