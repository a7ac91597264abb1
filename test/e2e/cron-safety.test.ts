/**
 * Cron safety: a mistyped --db / ACCTMGR_DB must not become a new, empty SQLite database and a silent
 * exit 0. Commands that only read, `remind` (also --send) and dry-run imports refuse a path where no
 * database is; commands that write (add, import, db migrate) still create it. On PostgreSQL nothing
 * is ever created (the database must exist), so these tests are about SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';

/** A database path that does not exist, in a folder that does not exist either (removed after the test). */
const folders: string[] = [];
const missing = () => {
  folders.push(tempDir());
  return path.join(folders.at(-1)!, 'typo', 'acctmgr.db');
};
afterEach(() => {
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});
const refusal = (db: string) => `error: no database at ${db} (create one with \`acctmgr db migrate\`)\n`;
const MANAGERS_CSV = path.join(ROOT, 'fixtures', 'managers.csv');

describe('commands that do not write never create a database (SQLite only)', () => {
  itSqlite('read-only commands: exit 1 "no database at PATH", nothing created', async () => {
    const db = missing();
    const commands = [
      ['accounts', 'list'],
      ['managers', 'show', 'anna'],
      ['subscriptions', 'list', '--format', 'csv'],
      ['audit', '--json'],
      ['notices', 'list'],
      ['export', 'accounts'],
      ['doctor'],
      ['db', 'status'],
      ['db', 'check'],
      ['import', 'history'],
    ];
    for (const argv of commands) {
      const r = await runCli(argv, { db });
      expect({ argv, ...r }).toEqual({ argv, code: 1, stdout: '', stderr: refusal(db) });
    }
    expect(fs.existsSync(path.dirname(db))).toBe(false);
  });

  itSqlite('remind, as cron runs it: the preview and --send --quiet refuse', async () => {
    const db = missing();
    expect(await runCli(['remind'], { db })).toEqual({ code: 1, stdout: '', stderr: refusal(db) });
    const smtp = { ACCTMGR_SMTP_URL: 'smtp://127.0.0.1:1', ACCTMGR_MAIL_FROM: 'acctmgr@vendor.example' };
    expect(await runCli(['remind', '--send', '--quiet'], { db, env: smtp })).toEqual({ code: 1, stdout: '', stderr: refusal(db) });
    expect(fs.existsSync(db)).toBe(false);
  });

  itSqlite('an import with --dry-run refuses; the same import without it creates the database', async () => {
    const db = missing();
    expect(await runCli(['import', 'managers', MANAGERS_CSV, '--dry-run'], { db })).toMatchObject({ code: 1, stderr: refusal(db) });
    expect(fs.existsSync(db)).toBe(false);
    expect((await runCli(['import', 'managers', MANAGERS_CSV], { db })).code).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
    expect((await runCli(['managers', 'list', '--json'], { db })).code).toBe(0);
  });

  itSqlite('commands that write create it: add, db migrate', async () => {
    const added = missing();
    const add = await runCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db: added });
    expect(add).toMatchObject({ code: 0, stdout: 'anna\n' });
    expect(fs.existsSync(added)).toBe(true);
    const migrated = missing();
    expect((await runCli(['db', 'migrate'], { db: migrated })).code).toBe(0);
    expect((await runCli(['accounts', 'list', '--json'], { db: migrated })).stdout).toBe('[]\n');
    for (const db of [added, migrated]) {
      expect((await runCli(['db', 'check'], { db })).code).toBe(0);
    }
  });
});
