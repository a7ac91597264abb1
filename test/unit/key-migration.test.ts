/**
 * Migration 0005 on a database made by the code before it (migrations 0001–0004, rows that the lower()
 * indexes let in): refused, changing nothing, while keys fold together or break the key rules; listed
 * and renamed by `db repair-keys` without the migration; then it applies and fills every key column.
 */
import type Database from 'better-sqlite3';
import { Migrator } from '#kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { openDb, type DbHandle } from '../../src/db/connection.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import { migrationStatus } from '../../src/db/migrator.js';
import { foldKey } from '../../src/lib/keys.js';
import { renameKey } from '../../src/keys/repair.js';
import { scanKeys } from '../../src/db/key-scan.js';
import { writeTx } from '../../src/db/tx.js';
import { dbMigratedTo, tempDbPath, testOp } from '../helpers/db.js';
import { describeSqlite } from '../helpers/engine.js';

const NOW = '2026-01-01T00:00:00Z';
let file: string;

/** A database as 0001–0004 leave it, with the rows today's code lets in. */
async function oldDatabase(): Promise<void> {
  const h = await dbMigratedTo('0004_notices', file);
  const s = h.sqlite!;
  const run = (sql: string, ...rows: unknown[][]) => rows.forEach((r) => s.prepare(sql).run(...r));
  run(
    'insert into account_groups (name, created_at) values (?, ?)',
    ['Община Пловдив', NOW],
    ['ОБЩИНА ПЛОВДИВ', NOW],
    ['Sofia\u200b', NOW],
  );
  run(
    "insert into accounts (external_id, name, type, status, created_at, updated_at) values (?, ?, 'school', 'active', ?, ?)",
    ['УЧ-001', 'Училище 1', NOW, NOW],
    ['уч-001', 'Училище 1 (дубликат)', NOW, NOW],
    ['SCH-7', 'Plain', NOW, NOW],
  );
  run(
    "insert into contacts (account_id, email, role, status, created_at, updated_at) values (?, ?, 'teacher', 'active', ?, ?)",
    [3, 'οδος@school.gr', NOW, NOW],
    [3, 'οδοσ@school.gr', NOW, NOW],
    [1, 'οδοσ@school.gr', NOW, NOW],
  );
  run(
    'insert into managers (login, name, email, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?)',
    ['anna', 'Anna', 'straße@vendor.de', 'active', NOW, NOW],
    ['bob', 'Bob', 'STRASSE@vendor.de', 'active', NOW, NOW],
  );
  run(
    'insert into products (code, name, created_at, updated_at) values (?, ?, ?, ?)',
    ['P'.repeat(101), 'Long', NOW, NOW],
    ['BIO', 'Bio', NOW, NOW],
  );
  run("insert into plans (code, name, product_id, currency, created_at, updated_at) values ('BASIC', 'Basic', 2, 'EUR', ?, ?)", [NOW, NOW]);
  run(
    "insert into subscriptions (external_id, account_id, product_id, plan_id, students, term_months, start_date, end_date, price_cents, created_at, updated_at) values (?, 3, 2, 1, 10, 12, '2026-01-01', '2026-12-31', 100, ?, ?)",
    ['АБ-1', NOW, NOW],
    ['аб-1', NOW, NOW],
  );
  await h.close();
}

function dump(s: Database.Database): string {
  const tables = s.prepare(`select name from sqlite_master where type in ('table', 'index') order by name`).all() as { name: string }[];
  const schema = s.prepare(`select sql from sqlite_master order by name`).all();
  return JSON.stringify({
    schema,
    rows: tables.map((t) =>
      s.prepare(`select count(*) from sqlite_master where name = ? and type = 'table'`).pluck().get(t.name)
        ? s.prepare(`select * from "${t.name}"`).all()
        : [],
    ),
  });
}

let h: DbHandle | undefined;

describeSqlite('migration 0005 on a database made before it (SQLite only; on both engines: test/e2e/repair-keys.test.ts)', () => {
  beforeEach(async () => {
    file = tempDbPath();
    await oldDatabase();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused, listing every offending record and the repair command, and changes nothing', async () => {
    const raw = await openDb(file, { migrate: false });
    const before = dump(raw.sqlite!);
    await raw.close();
    const err = (await openDb(file).catch((e: unknown) => e)) as Error & { hint?: string; exitCode?: number };
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('nothing was changed');
    for (const line of [
      'groups #1: name "Община Пловдив": is the same key as "ОБЩИНА ПЛОВДИВ" (#2)',
      'groups #3: name "Sofia\\u200b": must not contain control characters, line breaks or invisible formatting characters (found U+200B)',
      'accounts #1: external_id "УЧ-001": is the same key as "уч-001" (#2)',
      'subscriptions #2: external_id "аб-1": is the same key as "АБ-1" (#1)',
      'products #1: code "PPPP',
      'contacts #1 of account SCH-7: email "οδος@school.gr": is the same key as "οδοσ@school.gr" (#2)',
      'managers #2: email "STRASSE@vendor.de": is the same key as "straße@vendor.de" (#1)',
    ])
      expect(err.message).toContain(line);
    expect(err.message).not.toContain('#3 of account УЧ-001'); // the same email in another account is no clash
    expect(err.hint).toContain('acctmgr db repair-keys --rename ENTITY OLD NEW');
    const after = await openDb(file, { migrate: false });
    expect(dump(after.sqlite!)).toBe(before);
    expect((await migrationStatus(after.db)).find((m) => m.name === '0005_keys')?.applied).toBe(false);
    await after.close();
  });

  it('rolls itself back when it fails part-way (run without the check, its unique index fails)', async () => {
    const raw = await openDb(file, { migrate: false });
    const before = dump(raw.sqlite!);
    const result = await new Migrator({ db: raw.db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    expect(String(result.error)).toMatch(/UNIQUE constraint failed: account_groups.name_key/);
    expect(dump(raw.sqlite!)).toBe(before);
    await raw.close();
  });

  it('applies once db repair-keys has renamed the keys, and fills every key column with foldKey', async () => {
    h = await openDb(file, { migrate: false });
    expect((await scanKeys(h.db)).map((p) => `${p.entity}#${p.id}`)).toEqual([
      'groups#1',
      'groups#2',
      'groups#3',
      'accounts#1',
      'accounts#2',
      'subscriptions#1',
      'subscriptions#2',
      'products#1',
      'contacts#1',
      'contacts#2',
      'managers#1',
      'managers#2',
    ]);
    const op = testOp();
    const rename = (entity: string, old: string, next: string, account?: string) =>
      writeTx(h!.db, (db) => renameKey(db, op, { entity, old, new: next, account }, false));
    await expect(rename('accounts', 'уч-001', 'УЧ-001')).rejects.toThrow('external_id "УЧ-001" is the same key as account #1 "УЧ-001"');
    await expect(rename('groups', 'община пловдив', 'X')).rejects.toThrow(
      '"община пловдив" names several groups: #1 "Община Пловдив", #2 "ОБЩИНА ПЛОВДИВ"',
    );
    expect(await rename('groups', 'ОБЩИНА ПЛОВДИВ', 'Община Пловдив 2')).toMatchObject({
      id: 2,
      before: 'ОБЩИНА ПЛОВДИВ',
      after: 'Община Пловдив 2',
    });
    await rename('groups', '#3', 'Sofia');
    await rename('accounts', 'уч-001', 'УЧ-002');
    await rename('subscriptions', 'аб-1', 'АБ-2');
    await rename('products', 'P'.repeat(101), 'P-LONG');
    await expect(rename('contacts', 'οδος@school.gr', 'x@school.gr')).rejects.toThrow('needs --account');
    await expect(rename('contacts', 'οδος@school.gr', 'not an email', 'SCH-7')).rejects.toThrow(
      'email: "not an email": is not a valid email address',
    );
    expect(await rename('contacts', 'οδος@school.gr', 'Odos@School.gr', 'sch-7')).toMatchObject({
      account: 'SCH-7',
      before: 'οδος@school.gr',
      after: 'odos@school.gr',
    });
    await rename('managers', 'STRASSE@vendor.de', 'bob@vendor.de');
    expect(await scanKeys(h.db)).toEqual([]);
    const audit = h
      .sqlite!.prepare(`select entity, entity_key, before_json, after_json from audit_log where action = 'repair-key' order by id`)
      .all();
    expect(audit).toHaveLength(7);
    expect(audit[5]).toEqual({
      entity: 'contact',
      entity_key: 'SCH-7/odos@school.gr',
      before_json: '{"email":"οδος@school.gr"}',
      after_json: '{"email":"odos@school.gr"}',
    });
    await h.close();

    h = await openDb(file);
    expect((await migrationStatus(h.db)).every((m) => m.applied)).toBe(true);
    const keys = h.sqlite!.prepare('select external_id, external_id_key from accounts order by id').all();
    expect(keys).toEqual([
      { external_id: 'УЧ-001', external_id_key: 'уч-001' },
      { external_id: 'УЧ-002', external_id_key: 'уч-002' },
      { external_id: 'SCH-7', external_id_key: 'sch-7' },
    ]);
    const emails = h.sqlite!.prepare('select email, email_key from managers order by id').all();
    expect(emails).toEqual([
      { email: 'straße@vendor.de', email_key: 'strasse@vendor.de' },
      { email: 'bob@vendor.de', email_key: 'bob@vendor.de' },
    ]);
    for (const [table, source, key] of [
      ['account_groups', 'name', 'name_key'],
      ['contacts', 'email', 'email_key'],
      ['products', 'code', 'code_key'],
      ['plans', 'code', 'code_key'],
      ['subscriptions', 'external_id', 'external_id_key'],
    ]) {
      for (const r of h.sqlite!.prepare(`select "${source}" as v, "${key}" as k from ${table}`).all() as { v: string; k: string }[])
        expect(r.k).toBe(foldKey(r.v));
    }
    expect(await checkDatabase(h)).toMatchObject({ ok: true, key_mismatches: [] });
    // the unique indexes are on the stored folds now
    expect(() =>
      h!
        .sqlite!.prepare(
          `insert into accounts (external_id, external_id_key, name, type, created_at, updated_at) values ('уч-002', 'уч-002', 'X', 'school', 'x', 'x')`,
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: accounts.external_id_key/);
  });

  it('renames on a migrated database keep the stored fold in step', async () => {
    h = await openDb(file, { migrate: false });
    const op = testOp();
    const rename = (entity: string, old: string, next: string, migrated: boolean) =>
      writeTx(h!.db, (db) => renameKey(db, op, { entity, old, new: next }, migrated));
    for (const [entity, old, next] of [
      ['groups', '#2', 'Other'],
      ['groups', '#3', 'Sofia'],
      ['accounts', 'уч-001', 'УЧ-002'],
      ['subscriptions', 'аб-1', 'АБ-2'],
      ['products', '#1', 'P-LONG'],
      ['managers', 'STRASSE@vendor.de', 'bob@vendor.de'],
    ])
      await rename(entity!, old!, next!, false);
    await writeTx(h.db, (db) => renameKey(db, op, { entity: 'contacts', old: '#2', new: 'b@school.gr' }, false));
    await h.close();
    h = await openDb(file);
    await rename('accounts', 'уч-002', 'Ωμέγα-1', true);
    expect(h.sqlite!.prepare(`select external_id_key from accounts where id = 2`).pluck().get()).toBe(foldKey('Ωμέγα-1'));
    await rename('managers', 'anna', 'anna.k', true);
    expect(h.sqlite!.prepare(`select login from managers where id = 1`).pluck().get()).toBe('anna.k');
    expect((await checkDatabase(h)).ok).toBe(true);
  });
});
