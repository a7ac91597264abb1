import fs from 'node:fs';
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connection.js';
import { checkFile } from '../../src/db/maintenance.js';
import { migrationStatus } from '../../src/db/migrator.js';
import { RefusedError } from '../../src/errors.js';
import { freshDb, garbleTable, newDbLocation, openTestDb, tempDbPath, type TestDb } from '../helpers/db.js';
import { itSqlite, onPostgres } from '../helpers/engine.js';

/** A migrated database, closed, whose migration table then says what `statements` make it say. */
async function migratedDb(...statements: string[]): Promise<string> {
  const location = await newDbLocation();
  const h = await openTestDb(location, { migrate: onPostgres ? false : undefined });
  try {
    for (const s of statements) await sql.raw(s).execute(h.db);
  } finally {
    await h.close();
  }
  return location;
}

const appliedNames = async (location: string) => {
  const h = await openTestDb(location, { migrate: false, allowNewer: true });
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(h.db);
    return rows.map((r) => r.name);
  } finally {
    await h.close();
  }
};

/** A plan whose product does not exist, written around the foreign key (SQLite: foreign_keys off; PostgreSQL: its triggers off). */
async function danglingPlan(t: TestDb): Promise<void> {
  const insert = `insert into plans (code, code_key, name, product_id, currency, modules, legacy, created_at, updated_at) values ('P', 'p', 'P', 999, 'EUR', '', 0, 'x', 'x')`;
  if (!onPostgres) {
    t.handle.sqlite!.pragma('foreign_keys = OFF');
    t.handle.sqlite!.exec(insert);
    return;
  }
  await t.db.connection().execute(async (c) => {
    await sql`alter table plans disable trigger all`.execute(c);
    await sql.raw(insert).execute(c);
    await sql`alter table plans enable trigger all`.execute(c);
  });
}

describe('a database migrated by a newer acctmgr', () => {
  it('is refused before any migration is applied, naming the migration', async () => {
    // as if a newer build had applied 0099 and this one still had 0004 pending
    const file = await migratedDb(
      `delete from kysely_migration where name = '0004_notices'`,
      `insert into kysely_migration values ('0099_future', '2030-01-01T00:00:00.000Z')`,
    );
    const before = await appliedNames(file);
    const open = openTestDb(file, { migrate: true });
    await expect(open).rejects.toBeInstanceOf(RefusedError);
    await expect(open).rejects.toThrow('this database was migrated by a newer acctmgr (migration 0099_future); upgrade acctmgr');
    await expect(openTestDb(file, { migrate: false })).rejects.toBeInstanceOf(RefusedError);
    expect(await appliedNames(file)).toEqual(before);
  });

  it('opens as it is when allowed, and its status lists the unknown migration', async () => {
    const file = await migratedDb(`insert into kysely_migration values ('0099_future', '2030-01-01T00:00:00.000Z')`);
    const h = await openTestDb(file, { allowNewer: true });
    try {
      const status = await migrationStatus(h.db);
      expect(status.at(-1)).toEqual({ name: '0099_future', applied: true, applied_at: '2030-01-01T00:00:00Z', known: false });
      expect(status.slice(0, -1).every((m) => m.applied && m.known)).toBe(true);
    } finally {
      await h.close();
    }
  });
});

describe('db check', () => {
  itSqlite('reports a page of garbage (SQLite refuses to check it) instead of failing (SQLite only)', async () => {
    const t = await freshDb();
    await t.db.insertInto('products').values({ code: 'BIO', code_key: 'bio', name: 'Biology', created_at: 'x', updated_at: 'x' }).execute();
    const copy = tempDbPath();
    t.handle.sqlite!.exec(`vacuum into '${copy}'`);
    await t.close();
    garbleTable(copy, 'products');
    const report = await checkFile(() => openDb(copy, { migrate: false }));
    expect(report.ok).toBe(false);
    expect(report.integrity.join('\n')).toMatch(/failed: database disk image is malformed \(SQLITE_CORRUPT\)/);
    const notADb = tempDbPath();
    fs.writeFileSync(notADb, Buffer.alloc(8192, 0x5a));
    expect(await checkFile(() => openDb(notADb, { migrate: false }))).toEqual({
      ok: false,
      integrity: ['open failed: file is not a database (SQLITE_NOTADB)'],
      foreign_key_violations: [],
      key_mismatches: [],
      last_logins_behind: [],
      duplicate_keys: [],
      seats_of_other_accounts: [],
    });
  });

  it('runs when a test database is closed: a foreign key left dangling fails the test', async () => {
    const t = await freshDb();
    await danglingPlan(t);
    await expect(t.close()).rejects.toThrow(/db check is not clean after the test: .*"table":"plans"/);
  });
});
