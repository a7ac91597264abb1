/**
 * A large contacts file is read and prepared in a reader thread (src/import/bulk/reader-thread.ts) and written with a
 * rollback journal (src/db/bulk.ts). Whatever the file holds, the outcome must be exactly the one of
 * the single-thread path (ACCTMGR_IMPORT_THREADS=1): the same error lines, rejects file, counts and rows.
 * The reader thread is the built worker, so the threaded runs start the binary; the single-thread runs
 * and everything else run in-process.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { built, dbFiles, expectDbClean, onTerminal, runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { cloneDb, tempDir } from '../helpers/db.js';
import { itSqlite, onPostgres } from '../helpers/engine.js';
import type * as ReaderThreadModule from '../../src/import/bulk/reader-thread.js';

const HEADER = 'account_external_id,name,email,role,is_primary,status,invited_at,last_login_at';
const ROWS = 30_000;
const SINGLE = { ACCTMGR_IMPORT_THREADS: '1' };

/** ≈ 2.6 MB of contacts over 200 accounts with every kind of cell, and the hazards at `hazards[index]`. */
function bigFile(dir: string, hazards: Record<number, string>, tail = ''): string {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const a = i % 200;
    const email = i % 13 === 0 ? `Teacher${i}@School${a}.example` : `teacher${i}@school${a}.example`;
    const primary = i % 7 === 0 ? '' : i % 17 === 0 ? 'no' : 'false';
    const status = i % 7 === 0 ? '' : 'active';
    const login = i % 11 === 0 ? `2026-03-0${1 + (i % 9)}T08:30:00Z` : '';
    lines.push(hazards[i] ?? `A${a},Teacher ${i},${email},teacher,${primary},${status},2026-01-02,${login}`);
  }
  const file = path.join(dir, 'contacts.csv');
  fs.writeFileSync(file, `${lines.join('\n')}\n${tail}`);
  expect(fs.statSync(file).size).toBeGreaterThan(2 << 20);
  return file;
}

const HAZARDS: Record<number, string> = {
  10: 'A5,Bad Role,dupkey@school5.example,wizard,,,,',
  20: 'a5,Fine,DUPKEY@school5.example,teacher,,,,',
  1500: 'NOPE,X,x@nope.example,,,,,',
  1501: 'A6,Bad Email,not-an-email,,,,,',
  2999: 'A7,"Smith, ""Jo""\nsecond line",quoted@school7.example,teacher,,,,',
  3000: 'A8,Nul\0Name,nul@school8.example,,,,,',
  3001: 'A9,Extra,extra@school9.example,,,,,,surplus',
  3002: 'A9,Short,short@school9.example',
  3005: 'A9,Padded,padded@school9.example,,,,,,,',
  4000: 'A10,P0,p0@school10.example,teacher,true,active,,',
  4001: 'A10,P1,p1@school10.example,teacher,true,active,,',
  4002: 'A10,P2,p2@school10.example,teacher,true,active,,',
  4003: 'A10,P3,p3@school10.example,teacher,true,active,,',
  4004: 'A10,P4,p4@school10.example,teacher,true,active,,',
  4005: 'A10,P5,p5@school10.example,teacher,yes,active,,',
  5000: 'A11,Date,date@school11.example,,,,25.01.2026,',
  6000: 'A12,Again,TEACHER12@school12.example,,,,,',
  7000: "A13,'=SUM(1),formula@school13.example,,,,,",
  8000: 'A14,New Name,EXISTING@school14.example,,,,,',
  9000: 'A15,Same,same@school15.example,teacher,false,active,2026-01-02,',
  // a backslash (escaped in COPY text) and characters of 2, 3 and 4 bytes in UTF-8: stored as written
  9500: 'A16,O\\Brien Zielińska Ωmega 😀,obrien@school16.example,teacher,false,active,2026-01-02,',
};

const given = dbFiles();

/** A database with 200 accounts and two contacts that the big file updates and repeats. */
async function seeded(dir: string): Promise<string> {
  const db = given.fresh();
  const accounts = Array.from({ length: 200 }, (_, i) => `A${i},School ${i},school`).join('\n');
  fs.writeFileSync(path.join(dir, 'accounts.csv'), `external_id,name,type\n${accounts}\n`);
  expect((await runCli(['import', 'accounts', path.join(dir, 'accounts.csv')], { db })).code).toBe(0);
  const two = `${HEADER}\nA14,Old Name,existing@school14.example,director,true,active,,\nA15,Same,same@school15.example,teacher,false,active,2026-01-02,\n`;
  fs.writeFileSync(path.join(dir, 'two.csv'), two);
  expect((await runCli(['import', 'contacts', path.join(dir, 'two.csv')], { db })).code).toBe(0);
  return db;
}

/** The same import run both ways on copies of one database; the outcomes and the databases after. */
async function bothWays(db: string, args: (label: string) => string[]) {
  const run = async (label: string, env: NodeJS.ProcessEnv) => {
    const copy = await cloneDb(db);
    const r = await (label === 'threaded' ? spawnCli : runCli)([...args(label), '--debug'], { db: copy, env });
    const contacts = await runCli(['export', 'contacts'], { db: copy });
    return { r, copy, contacts: contacts.stdout };
  };
  return { threaded: await run('threaded', {}), single: await run('single', SINGLE) };
}

/** stderr without the --debug notes and stack frames (the binary's and this process's differ), and the timing. */
function messages(r: CliResult): string {
  return r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('debug: ') && !/^\s+at /.test(l))
    .map((l) => l.replace(/ in [\d.]+ s \(\d+ rows\/s\)/, ''))
    .join('\n');
}

describe('a large contacts import in a reader thread', () => {
  it('refuses the file with exactly the errors of the single-thread path, and writes nothing', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const file = bigFile(dir, HAZARDS);
    const before = (await runCli(['export', 'contacts'], { db })).stdout;
    const { threaded, single } = await bothWays(db, () => ['import', 'contacts', file]);
    expect(threaded.r.stderr).toContain(`debug: ${file}: rows read and prepared in a reader thread`);
    if (!onPostgres) expect(threaded.r.stderr).toContain('debug: written with a rollback journal');
    expect(single.r.stderr).not.toContain('reader thread');
    expect(threaded.r.code).toBe(1);
    expect(single.r.code).toBe(1);
    expect(messages(threaded.r)).toBe(messages(single.r));
    const errors = threaded.r.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
    // line = index + 2 (header, 1-based), one more after the quoted name that spans two lines
    expect(errors).toEqual([
      `${file}:12: role: "wizard": must be one of teacher, director, deputy, admin, other, billing`,
      `${file}:22: account_external_id: "a5": duplicates line 12 (same account_external_id + email)`,
      `${file}:1502: account_external_id: "NOPE": no account with this external_id (in the database or the accounts imported with it)`,
      `${file}:1503: email: "not-an-email": is not a valid email address`,
      `${file}:3001: name: "Smith, \\"Jo\\"\\nsecond line": must not contain control characters, tabs or line breaks (found U+000A)`,
      `${file}:3003: name: "Nul\\u0000Name": contains a NUL character (is this a UTF-16 or binary file? see --encoding)`,
      `${file}:3004: expected 8 fields, got 9`,
      `${file}:3005: expected 8 fields, got 3`,
      `${file}:4008: is_primary: "yes": account A10 already has 5 primary contacts (the limit is 5)`,
      `${file}:5003: invited_at: "25.01.2026": must be a date in the form YYYY-MM-DD (for DD.MM.YYYY dates use --date-format DD.MM.YYYY)`,
      `${file}:6003: email: "TEACHER12@school12.example": duplicates line 14 (same account_external_id + email)`,
    ]);
    for (const side of [threaded, single]) expect((await runCli(['export', 'contacts'], { db: side.copy })).stdout).toBe(before);
    for (const side of [threaded, single]) await expectDbClean(side.copy);
  });

  it('--skip-invalid: the same rows imported, the same rejects file, the same counts', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const file = bigFile(dir, HAZARDS);
    const rejects = (label: string) => path.join(dir, `rejects-${label}.csv`);
    const { threaded, single } = await bothWays(db, (label) => [
      'import',
      'contacts',
      file,
      '--skip-invalid',
      '--rejects',
      rejects(label),
      '--json',
    ]);
    expect(threaded.r.stderr).toContain('reader thread');
    for (const side of [threaded, single]) expect(side.r.code).toBe(0);
    const summary = (r: CliResult) => {
      const { seconds: _s, rows_per_second: _r, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
      return rest;
    };
    expect(summary(threaded.r)).toEqual(summary(single.r));
    // 30,000 rows: 11 rejected, A14 updated, A15 unchanged
    expect(summary(threaded.r)).toMatchObject({ inserted: ROWS - 13, updated: 1, unchanged: 1, rejected: 11 });
    expect(fs.readFileSync(rejects('threaded'), 'utf8')).toBe(fs.readFileSync(rejects('single'), 'utf8'));
    expect(fs.readFileSync(rejects('threaded'), 'utf8').split('\n')[3]).toBe(
      'NOPE,X,x@nope.example,,,,,,account_external_id: no account with this external_id (in the database or the accounts imported with it)',
    );
    expect(threaded.contacts).toBe(single.contacts);
    expect(threaded.contacts).toContain('A14,New Name,existing@school14.example,director,true,active,,');
    expect(threaded.contacts).toContain('A16,O\\Brien Zielińska Ωmega 😀,obrien@school16.example,teacher,false,active,2026-01-02,');
    expect(threaded.contacts.split('\n').find((l) => l.includes('formula@'))).toBe(
      `A13,"'=SUM(1)",formula@school13.example,other,false,invited,,`,
    );
    // a name is one line: the quoted name over two lines is rejected (with its line number right)
    expect(threaded.contacts).not.toContain('quoted@school7.example');
    // status empty: active, as it has logged in (as `contacts add` decides)
    expect(threaded.contacts).toContain('A0,Teacher 0,teacher0@school0.example,teacher,false,active,2026-01-02,2026-03-01T08:30:00Z');
    for (const side of [threaded, single]) await expectDbClean(side.copy);
  });

  it('maps columns in any order, renamed (--map) or ignored (--ignore-unknown), as the single-thread path does', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const lines = ['Notes;Email ;Teacher Name;Account External-ID;role'];
    for (let i = 0; i < 40_000; i++)
      lines.push(`note ${i};teacher${i}@school${i % 200}.example;Teacher ${i};A${i % 200};${i % 5 === 0 ? 'director' : ''}`);
    const file = path.join(dir, 'sheet.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const { threaded, single } = await bothWays(db, () => ['import', 'contacts', file, '--map', 'Teacher Name=name', '--ignore-unknown']);
    expect(threaded.r.stderr).toContain('reader thread');
    for (const side of [threaded, single]) expect(side.r.code).toBe(0);
    expect(threaded.contacts).toBe(single.contacts);
    expect(threaded.contacts).toContain('A5,Teacher 5,teacher5@school5.example,director,false,invited,,');
    for (const side of [threaded, single]) await expectDbClean(side.copy);
  });

  it('shows a progress bar (rows, rows/s, ETA) on a terminal for a file over 8 MB, and none when piped', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const lines = [HEADER];
    for (let i = 0; i < 100_000; i++)
      lines.push(`A${i % 200},Teacher Number ${i},teacher.number.${i}@school${i % 200}.example,teacher,false,active,2026-01-02,`);
    const file = path.join(dir, 'big.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(8 << 20);
    const tty = onTerminal(db, ['import', 'contacts', file], [], 60);
    expect(tty.code).toBe(0);
    expect(tty.output).toMatch(/importing \[[█░]+\] \d+% \| \d+ rows \| \d+ rows\/s \| ETA \d+s/);
    expect(tty.output).toContain('batch 3: 100000 inserted');
    const piped = await runCli(['import', 'contacts', file, '--on-existing', 'skip'], { db });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('importing [');
    await expectDbClean(db);
  });

  it('refuses bad UTF-8 and an unterminated quote met by the reader thread, naming the line', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const file = bigFile(dir, {}, 'A1,"never closed,x@school1.example,,,,,\n');
    const bad = await spawnCli(['import', 'contacts', file, '--debug'], { db });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}:${ROWS + 2}: a quoted field opened on this line is never closed`);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('Teacher 20000,');
    bytes[at] = 0xe9; // a latin-1 "é" where UTF-8 is expected, far past the first chunk the main thread reads
    fs.writeFileSync(file, bytes);
    const latin = await spawnCli(['import', 'contacts', file], { db });
    expect(latin.code).toBe(1);
    expect(latin.stderr).toContain(`${file}:20002: the file is not valid UTF-8 text`);
    expect((await runCli(['contacts', 'list', '--format', 'csv'], { db })).stdout.trim().split('\n')).toHaveLength(3);
    if (!onPostgres) {
      const check = new Database(db);
      expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
      check.close();
    }
    await expectDbClean(db);
  });

  it('starts the reader thread before the importer opens, and stops it when the rows stay on this thread (the table already holds twice the file; on PostgreSQL they go to COPY, prepared by the thread)', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    // 60,000 stored contacts: on SQLite a file of ≈ 20,000 rows is not worth a bulk load, so no rows go to a
    // thread; on PostgreSQL, where a row by row import costs a round trip a row, it is, with the table's indexes
    // kept (src/import/bulk/plan.ts), and the thread prepares its rows
    for (const round of ['a', 'b']) {
      const file = bigFile(dir, {}).replace(/contacts\.csv$/, `round-${round}.csv`);
      fs.writeFileSync(file, fs.readFileSync(path.join(dir, 'contacts.csv'), 'utf8').replace(/teacher(\d+)@/gi, `teacher$1${round}@`));
      expect((await runCli(['import', 'contacts', file], { db })).code).toBe(0);
    }
    const file = bigFile(dir, { 0: 'A0,Renamed,teacher0a@school0.example,,,,,' });
    const r = await spawnCli(['import', 'contacts', file, '--debug', '--json'], { db, timeoutMs: 20_000 });
    // a thread left waiting for its rows would keep the process alive until the timeout kills it
    expect(r.code).toBe(0);
    if (onPostgres) {
      expect(r.stderr).toContain('reader thread');
      expect(r.stderr).toContain('contacts: rows loaded with COPY FROM STDIN into the indexed table (the file is small beside the table)');
    } else expect(r.stderr).not.toContain('reader thread');
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: ROWS - 1, updated: 1 });
  });

  it('a reader thread started early and never handed its rows stops when closed; it refuses another preparer', async () => {
    const { ReaderThread } = await built<typeof ReaderThreadModule>('src/import/bulk/reader-thread.js');
    const dir = tempDir();
    const file = path.join(dir, 'c.csv');
    fs.writeFileSync(file, `${HEADER}\nA1,X,x@a.example,,,,,\n`);
    const preparer = new URL('../../dist/src/import/entities/contacts-rows.js', import.meta.url).href;
    const start = () => ReaderThread.start({ file, label: 'c.csv', fields: HEADER.split(','), withCells: false }, preparer);
    await expect(start().close()).resolves.toBeUndefined();
    const other = start();
    try {
      expect(() =>
        other.rows(
          { preparer: 'file:///elsewhere.js', data: {}, width: 1, apply: () => 'inserted', keyText: () => ({}) },
          () => 'inserted',
        ),
      ).toThrow(/another preparer/);
    } finally {
      await other.close();
    }
  });

  itSqlite('keeps WAL when another connection has the database open, and puts WAL back after a large import (SQLite only)', async () => {
    const dir = tempDir();
    const db = await seeded(dir);
    const file = bigFile(dir, {});
    const reader = new Database(db);
    try {
      reader.pragma('journal_mode = WAL');
      expect(reader.prepare('select count(*) from accounts').pluck().get()).toBe(200);
      const r = await runCli(['import', 'contacts', file, '--debug'], { db });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('debug: written in WAL mode (another connection has the database open)');
      expect(reader.prepare('select count(*) from contacts').pluck().get()).toBe(ROWS + 2);
    } finally {
      reader.close();
    }
    const again = bigFile(dir, { 0: 'A0,Renamed,teacher0@school0.example,,,,,' });
    const r = await runCli(['import', 'contacts', again, '--debug'], { db });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('debug: written with a rollback journal');
    const after = new Database(db);
    try {
      expect(after.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(after.prepare(`select name from contacts where email = 'teacher0@school0.example'`).pluck().get()).toBe('Renamed');
    } finally {
      after.close();
    }
    await expectDbClean(db);
  });
});
