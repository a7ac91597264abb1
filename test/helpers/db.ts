/**
 * Service tests run on a fresh, migrated SQLite file per test (the real thing, not a mock). Closing it
 * runs the checks of `acctmgr db check` first: a test that leaves the database damaged or with
 * foreign-key violations fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { openDb, type DbHandle } from '../../src/db/connection.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import type { DB } from '../../src/db/schema/index.js';
import type { Op } from '../../src/op.js';

export function tempDir(prefix = 'acctmgr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function tempDbPath(): string {
  return path.join(tempDir(), 'test.db');
}

export interface TestDb {
  db: Kysely<DB>;
  handle: DbHandle;
  path: string;
  close(): Promise<void>;
}

export async function freshDb(): Promise<TestDb> {
  const file = tempDbPath();
  const handle = await openDb(file);
  return {
    db: handle.db,
    handle,
    path: file,
    close: async () => {
      const report = checkDatabase(handle);
      await handle.close();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      if (!report.ok) throw new Error(`db check is not clean after the test: ${JSON.stringify(report)}`);
    },
  };
}

export function testOp(over: Partial<Op> = {}): Op {
  return { actor: 'tester', asOf: '2026-11-25', today: '2026-11-25', now: '2026-11-25T09:00:00Z', ...over };
}
