/**
 * Guards on the command line: a database from a newer acctmgr, a damaged database, list filters with
 * values that match nothing, an empty value that clears a number, the password flag of `managers add`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { cloneDb, garbleTable, removeDb, tempDir } from '../helpers/db.js';
import { itSqlite, onPostgres } from '../helpers/engine.js';
import { createPgDatabase } from '../helpers/pg.js';
import { rawExec, restoredBackup, writeAroundForeignKeys } from '../helpers/raw.js';

let db: string;
const run = (args: string[], input?: string) => runCli(args, { db, input });

/** Each test gets a copy: manager anna and account SCH-1 with 420 students. */
const given = dbFiles().template(async (at) => {
  db = at;
  expect((await run(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'])).code).toBe(0);
  expect(
    (await run(['accounts', 'add', '--external-id', 'SCH-1', '--name', 'Училище 1', '--type', 'school', '--student-count', '420'])).code,
  ).toBe(0);
});
beforeEach(async () => {
  db = await given();
});

describe('a database migrated by a newer acctmgr', () => {
  it('is refused by every command but db status, db backup and --help', async () => {
    const dir = tempDir();
    expect((await run(['db', 'backup', path.join(dir, 'newer.db')])).code).toBe(0);
    const newer = await restoredBackup(path.join(dir, 'newer.db'));
    await rawExec(newer, `insert into kysely_migration values ('0099_future', '2030-01-01T00:00:00.000Z')`);
    const message = 'error: this database was migrated by a newer acctmgr (migration 0099_future); upgrade acctmgr\n';
    for (const args of [
      ['accounts', 'list'],
      ['managers', 'add', '--login', 'x', '--name', 'X', '--email', 'x@vendor.example'],
      ['db', 'migrate'],
      ['db', 'check'],
    ]) {
      const r = await runCli(args, { db: newer });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe(message);
    }
    const status = await runJson<{ name: string; applied: boolean; known: boolean }[]>(['db', 'status'], { db: newer });
    expect(status.at(-1)).toMatchObject({ name: '0099_future', applied: true, known: false });
    expect(status.filter((m) => !m.known)).toHaveLength(1);
    const copyFile = path.join(dir, 'newer-copy.db');
    expect((await runCli(['db', 'backup', copyFile], { db: newer })).code).toBe(0);
    const copy = await restoredBackup(copyFile);
    expect((await runCli(['db', 'status', '--json'], { db: copy })).stdout).toContain('0099_future');
    expect((await runCli(['--help'], { db: newer })).code).toBe(0);
    if (onPostgres) for (const d of [newer, copy]) await removeDb(d);
  });
});

describe('db check --json', () => {
  it('reports a reference written around the foreign keys, with exit 1, alike on both engines', async () => {
    const broken = await cloneDb(db);
    await writeAroundForeignKeys(broken, 'accounts', `update accounts set manager_id = 999 where external_id = 'SCH-1'`);
    const r = await runCli(['db', 'check', '--json'], { db: broken });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      integrity: ['ok'],
      foreign_key_violations: [{ table: 'accounts', rowid: 1, parent: 'managers' }],
      key_mismatches: [],
      last_logins_behind: [],
      duplicate_keys: [],
      seats_of_other_accounts: [],
    });
    expect(r.stderr).toBe('error: database check failed\n');
    const text = await runCli(['db', 'check'], { db: broken });
    expect(text.stdout).toBe(
      'integrity: ok\nforeign key violations: 1\n  accounts row 1 → missing managers\nstored keys out of step: 0\nseats whose last_login_at is behind their login events: 0\nkeys held by more than one row: 0\nseats whose contact is of another account: 0\n',
    );
    await removeDb(broken);
  });

  it('reports rows that share a unique key whose index was dropped, with exit 1, alike on both engines', async () => {
    const broken = await cloneDb(db);
    await rawExec(
      broken,
      'drop index accounts_external_id_key',
      `insert into accounts (external_id, external_id_key, name, type, status, created_at, updated_at)
        values ('sch-1', 'sch-1', 'Twin', 'school', 'active', 'x', 'x')`,
    );
    const r = await runCli(['db', 'check', '--json'], { db: broken });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      integrity: ['ok'],
      foreign_key_violations: [],
      key_mismatches: [],
      last_logins_behind: [],
      duplicate_keys: [{ table: 'accounts', columns: ['external_id_key'], values: ['sch-1'], rows: 2, ids: [1, 2] }],
      seats_of_other_accounts: [],
    });
    expect(r.stderr).toBe('error: database check failed\n');
    const text = await runCli(['db', 'check'], { db: broken });
    expect(text).toMatchObject({ code: 1, stderr: 'error: database check failed\n' });
    expect(text.stdout).toBe(
      'integrity: ok\nforeign key violations: 0\nstored keys out of step: 0\nseats whose last_login_at is behind their login events: 0\n' +
        'keys held by more than one row: 1\n  accounts rows 1, 2 share external_id_key "sch-1"\nseats whose contact is of another account: 0\n',
    );
    await removeDb(broken);
  });

  it('refuses a database that has no acctmgr schema yet, with exit 1, migrating nothing', async () => {
    // an empty SQLite file (which any other command would migrate), a PostgreSQL database before db migrate
    const empty = onPostgres ? await createPgDatabase('empty') : path.join(tempDir(), 'empty.db');
    if (!onPostgres) fs.writeFileSync(empty, '');
    for (const args of [
      ['db', 'check'],
      ['db', 'check', '--json'],
    ]) {
      const r = await runCli(args, { db: empty });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `error: the database ${empty} has no acctmgr schema yet\n` +
          (onPostgres
            ? 'hint: run acctmgr db migrate (on PostgreSQL, migrations run only when asked)\n'
            : 'hint: run acctmgr db migrate (on SQLite any other command also migrates it on first use)\n'),
      );
    }
    const status = await runJson<{ applied: boolean }[]>(['db', 'status'], { db: empty });
    expect(status.filter((m) => m.applied)).toEqual([]);
    await removeDb(empty);
  });

  itSqlite(
    'a SQLite file whose unique index was removed behind its back: integrity_check reports it, as before (SQLite only)',
    async () => {
      const damaged = await cloneDb(db);
      // each on a connection of its own: SQLite reads the edited schema when it opens the file
      const writeSchema = (from: string, to: string) => {
        const raw = new Database(damaged).unsafeMode(true);
        raw.pragma('writable_schema = 1');
        raw.prepare(`update sqlite_master set sql = replace(sql, ?, ?) where name = 'accounts_external_id_key'`).run(from, to);
        raw.close();
      };
      writeSchema('UNIQUE INDEX', 'INDEX');
      await rawExec(
        damaged,
        `insert into accounts (external_id, external_id_key, name, type, status, created_at, updated_at)
        values ('sch-1', 'sch-1', 'Twin', 'school', 'active', 'x', 'x')`,
      );
      writeSchema('CREATE INDEX', 'CREATE UNIQUE INDEX');
      const text = await runCli(['db', 'check'], { db: damaged });
      expect(text.code).toBe(1);
      // a damaged file is read no further than the integrity check: the other checks find nothing to say
      expect(text.stdout).toBe(
        'integrity: non-unique entry in index accounts_external_id_key\nforeign key violations: 0\nstored keys out of step: 0\n' +
          'seats whose last_login_at is behind their login events: 0\nkeys held by more than one row: 0\nseats whose contact is of another account: 0\n',
      );
    },
  );

  itSqlite('prints its report on a damaged database, with exit 1 (SQLite only: a page of garbage)', async () => {
    const damaged = path.join(path.dirname(db), 'damaged.db');
    expect((await run(['db', 'backup', damaged])).code).toBe(0);
    garbleTable(damaged, 'accounts');
    const r = await runCli(['db', 'check', '--json'], { db: damaged });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; integrity: string[]; foreign_key_violations: unknown[] };
    expect(report.ok).toBe(false);
    expect(report.integrity.join('\n')).toContain('database disk image is malformed');
    expect(r.stderr).toBe('error: database check failed\n');
  });
});

describe('list filters', () => {
  it('refuse a value outside their values or range as add does, instead of an empty list', async () => {
    const cases: [string[], string][] = [
      [
        ['audit', '--entity', 'bogus'],
        'entity: "bogus": must be one of manager, account, group, field, contact, product, plan, price, subscription, seat, import, notice, notices, activity, request, training, setting, invoice, database',
      ],
      [['managers', 'list', '--status', 'bogus'], 'status: "bogus": must be one of active, on_leave, inactive'],
      [['import', 'history', '--limit', '-1'], 'limit: "-1": must be at least 1'],
      [['import', 'history', '--limit', '0'], 'limit: "0": must be at least 1'],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe(`error: ${message}\n`);
    }
    expect((await runJson<unknown[]>(['audit', '--entity', 'Manager'], { db })).length).toBe(1);
    expect((await runJson<unknown[]>(['managers', 'list', '--status', 'ACTIVE'], { db })).length).toBe(1);
  });
});

describe('edit with an empty value', () => {
  it('clears an optional number (accounts edit --student-count "")', async () => {
    const r = await run(['accounts', 'edit', 'SCH-1', '--student-count', '', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { student_count: unknown }).student_count).toBeNull();
    expect((await runJson<{ student_count: unknown }>(['accounts', 'show', 'SCH-1'], { db })).student_count).toBeNull();
  });
});

describe('managers add --password-stdin --json', () => {
  it('prints the record with has_password true', async () => {
    const r = await run(
      ['managers', 'add', '--login', 'ben', '--name', 'Ben', '--email', 'ben@vendor.example', '--password-stdin', '--json'],
      'a long passphrase\n',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ login: 'ben', has_password: true });
  });
});
