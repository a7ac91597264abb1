import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connection.js';
import { migrationStatus } from '../../src/db/migrator.js';
import { migrations } from '../../migrations/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDbPath } from '../helpers/db.js';

describe('migrations', () => {
  it('run in order on an empty database, once, and leave a consistent schema', async () => {
    const file = tempDbPath();
    const pending = await openDb(file, { migrate: false });
    expect((await migrationStatus(pending.db)).every((m) => !m.applied)).toBe(true);
    await pending.close();

    const h = await openDb(file);
    const status = await migrationStatus(h.db);
    expect(status.map((m) => m.name)).toEqual(Object.keys(migrations).sort());
    expect(status.every((m) => m.applied)).toBe(true);
    expect(h.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(h.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(60_000);
    expect(h.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    await h.close();

    const again = await openDb(file);
    expect((await migrationStatus(again.db)).every((m) => m.applied)).toBe(true);
    await again.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('two processes creating the same new database at once both succeed', async () => {
    const db = tempDbPath();
    const [a, b] = await Promise.all([runCli(['db', 'status', '--json'], { db }), runCli(['managers', 'list', '--json'], { db })]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const check = await runCli(['db', 'check'], { db });
    expect(check.code).toBe(0);
  });
});
