import { beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { removeDb, tempDbPath, tempDir } from '../helpers/db.js';
import { itSqlite, onPostgres } from '../helpers/engine.js';
import { restoredBackup } from '../helpers/raw.js';

let db: string;
const addAnna = () =>
  runCli(['managers', 'add', '--login', 'akowalski', '--name', 'Anna Kowalski', '--email', 'anna@vendor.example', '--region', 'north'], {
    db,
  });

const files = dbFiles();
/** Each test gets a copy: manager akowalski. */
const given = files.template(async (at) => {
  db = at;
  expect(await addAnna()).toMatchObject({ code: 0, stdout: 'akowalski\n' });
});
beforeEach(async () => {
  db = await given();
});

describe('acctmgr managers (end to end)', () => {
  itSqlite('creates the database 0600 in WAL mode (SQLite only)', async () => {
    db = files.fresh();
    expect(await addAnna()).toMatchObject({ code: 0, stdout: 'akowalski\n' });
    expect(fs.statSync(db).mode & 0o777).toBe(0o600);
    const header = fs.readFileSync(db).subarray(18, 20);
    expect([...header]).toEqual([2, 2]); // WAL: file format read/write version 2
  });

  it('prints JSON shaped as show, with snake_case keys and null for absent values', async () => {
    const m = await runJson<Record<string, unknown>>(['managers', 'show', 'AKOWALSKI'], { db });
    expect(m).toMatchObject({ login: 'akowalski', employee_id: null, region: 'north', account_count: 0, accounts: [] });
    const list = await runJson<unknown[]>(['managers', 'list', '--region', 'north'], { db });
    expect(list).toHaveLength(1);
  });

  it('lists as CSV with the same snake_case names', async () => {
    const r = await runCli(['managers', 'list', '--format', 'csv'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('login,name,email,employee_id,phone,mobile,region,status,has_password');
  });

  it('accepts global options before or after the subcommand; --db beats ACCTMGR_DB', async () => {
    const other = tempDbPath();
    const a = await runCli(['--json', 'managers', 'list', '--db', db], { env: { ACCTMGR_DB: other } });
    expect(JSON.parse(a.stdout)).toHaveLength(1);
    const b = await runCli(['--db', db, 'managers', 'list', '--json']);
    expect(JSON.parse(b.stdout)).toHaveLength(1);
  });

  it('fails at once with exit 2 naming missing flags when stdin is not a terminal', async () => {
    const r = await runCli(['managers', 'add', '--name', 'X'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--login, --email');
  });

  it('exit 2 for unknown options and commands, exit 1 for rule failures, no stack traces', async () => {
    expect((await runCli(['managers', 'list', '--bogus'], { db })).code).toBe(2);
    expect((await runCli(['nonsense'], { db })).code).toBe(2);
    const dup = await runCli(['managers', 'add', '--login', 'AKowalski', '--name', 'A', '--email', 'x@y.example'], { db });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('login: "akowalski": is already used');
    expect(dup.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
    const bad = await runCli(['managers', 'add', '--login', 'x', '--name', 'A', '--email', 'not-an-email'], { db });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('email: "not-an-email": is not a valid email address');
  });

  it('never takes a password as an argument value and refuses destructive commands without --yes', async () => {
    const pw = await runCli(['managers', 'set-password', 'akowalski', '--password', 'hunter22'], { db });
    expect(pw.code).toBe(2);
    expect(pw.stderr).not.toContain('hunter22');
    const ok = await runCli(['managers', 'set-password', 'akowalski', '--password-stdin'], { db, input: 'hunter22hunter\n' });
    expect(ok.code).toBe(0);
    const rm = await runCli(['managers', 'remove', 'akowalski'], { db });
    expect(rm.code).toBe(2);
    expect(rm.stderr).toContain('--yes');
    expect(await runJson<unknown[]>(['managers', 'list'], { db })).toHaveLength(1);
  });

  it('records the OS user as the actor and --actor beside it (on_behalf_of)', async () => {
    await runCli(['managers', 'edit', 'akowalski', '--mobile', '+48 600', '--actor', 'boss'], { db });
    const audit = await runJson<{ actor: string; action: string }[]>(['audit', '--entity', 'manager'], { db });
    expect(audit.at(-1)).toMatchObject({ actor: os.userInfo().username, on_behalf_of: 'boss', action: 'edit' });
    expect(audit.at(0)).toMatchObject({ on_behalf_of: null, action: 'add' });
  });

  it('db status, check and backup', async () => {
    const status = await runJson<{ name: string; applied: boolean }[]>(['db', 'status'], { db });
    expect(status.every((m) => m.applied)).toBe(true);
    expect((await runCli(['db', 'check'], { db })).code).toBe(0);
    const target = path.join(tempDir(), 'backup.db');
    const backup = await runCli(['db', 'backup', target], { db });
    expect(backup).toMatchObject({ code: 0, stdout: `${target}\n` });
    expect(backup.stderr).toMatch(
      onPostgres
        ? /^backed up with pg_dump \(\d+ bytes\); restore into an empty database with: pg_restore -d postgres:\/\/\S+ \S+\n$/
        : /^backed up \d+ pages \(\d+ bytes\)\n$/,
    );
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect((await runCli(['db', 'backup', target], { db })).code).toBe(2);
    expect((await runCli(['db', 'backup', target, '--yes'], { db })).code).toBe(0);
    const restored = await restoredBackup(target);
    expect(await runJson<unknown[]>(['managers', 'list'], { db: restored })).toHaveLength(1);
    if (onPostgres) await removeDb(restored);
  });
});
