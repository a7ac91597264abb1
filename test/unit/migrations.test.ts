import fs from 'node:fs';
import { Migrator, NO_MIGRATIONS } from '#kysely';
import { expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../src/db/connection.js';
import { migrationStatus } from '../../src/db/migrator.js';
import { migrations } from '../../migrations/index.js';
import { dbFiles, runCli, spawnCli } from '../helpers/cli.js';
import { removeDb, tempDbPath } from '../helpers/db.js';
import { describeSqlite } from '../helpers/engine.js';

const given = dbFiles();

/** Every table, index and trigger with its SQL, as SQLite stores it. */
function schema(h: DbHandle): unknown[] {
  return h.sqlite!.prepare(`select type, name, tbl_name, sql from sqlite_master order by type, name`).all();
}

/** On PostgreSQL every migration runs up, down and up again in test/unit/migrations-dialects.test.ts. */
describeSqlite('migrations on a SQLite file (SQLite only)', () => {
  it('run in order on an empty database, once, and leave a consistent schema', async () => {
    const file = tempDbPath();
    const pending = await openDb(file, { migrate: false });
    expect((await migrationStatus(pending.db)).every((m) => !m.applied)).toBe(true);
    await pending.close();

    const h = await openDb(file);
    const status = await migrationStatus(h.db);
    expect(status.map((m) => m.name)).toEqual(Object.keys(migrations).sort());
    expect(status.every((m) => m.applied)).toBe(true);
    expect(h.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(h.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.sqlite!.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(60_000);
    expect(h.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
    await h.close();

    const again = await openDb(file);
    expect((await migrationStatus(again.db)).every((m) => m.applied)).toBe(true);
    await again.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await removeDb(file);
  });

  it('go down to none and up again, every one, leaving the schema they first made', async () => {
    const file = tempDbPath();
    const h = await openDb(file);
    try {
      const first = schema(h);
      expect(first.length).toBeGreaterThan(20);
      const migrator = new Migrator({ db: h.db, provider: { getMigrations: async () => migrations } });
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
        Object.keys(migrations)
          .sort()
          .reverse()
          .map((name) => [name, 'Down', 'Success']),
      );
      // only kysely's own bookkeeping is left
      expect(
        schema(h)
          .map((r) => (r as { name: string }).name)
          .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_')),
      ).toEqual([]);
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(up.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations).sort());
      expect(schema(h)).toEqual(first);
      expect(h.sqlite!.pragma('foreign_key_check')).toEqual([]);
    } finally {
      await h.close();
      await removeDb(file);
    }
  });

  it('work on a database made by the builds whose 0005 named managers’ folded email index managers_email_fold', async () => {
    const file = tempDbPath();
    const h = await openDb(file);
    try {
      // as 0005 made it from 8f246ab until the released name came back
      h.sqlite!.exec(`drop index managers_email_key; CREATE UNIQUE INDEX "managers_email_fold" on "managers" ("email_key")`);
      const insert = h.sqlite!.prepare(
        `insert into managers (login, name, email, email_key, status, created_at, updated_at) values (?, 'M', ?, 'm@x.example', 'active', 'x', 'x')`,
      );
      insert.run('m1', 'm@x.example');
      expect(() => insert.run('m2', 'M@x.example')).toThrow(/UNIQUE constraint failed: managers.email_key/);
      // 0005's down step drops it under either name; up again makes the released one
      const migrator = new Migrator({ db: h.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo(NO_MIGRATIONS)).error).toBeUndefined();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const names = schema(h).map((r) => (r as { name: string }).name);
      expect(names).toContain('managers_email_key');
      expect(names).not.toContain('managers_email_fold');
    } finally {
      await h.close();
      await removeDb(file);
    }
  });

  // processes: SQLite's locks between two programs creating one file
  it('two processes creating the same new database at once both succeed', async () => {
    const db = given.fresh();
    // two commands that write (read-only ones refuse a database that does not exist yet)
    const [a, b] = await Promise.all([
      spawnCli(['db', 'migrate', '--json'], { db }),
      spawnCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db }),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const check = await runCli(['db', 'check'], { db });
    expect(check.code).toBe(0);
  });
});
