import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, spawnCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';

const PRODUCTS = 'code,name\nBIO,Biology\nbad code,Bad\nMATH,Maths\n';

const given = dbFiles();

/** A database holding two products, and a directory for files. */
async function setup(): Promise<{ db: string; dir: string }> {
  const db = given.fresh();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'seed.csv'), 'code,name\nBIO,Biology\nMATH,Maths\n');
  expect((await runCli(['import', 'products', path.join(dir, 'seed.csv')], { db })).code).toBe(0);
  return { db, dir };
}

async function dbCheck(db: string): Promise<void> {
  const r = await runCli(['db', 'check'], { db });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

async function history(db: string): Promise<unknown[]> {
  return JSON.parse((await runCli(['import', 'history', '--json'], { db })).stdout) as unknown[];
}

describe('files are never clobbered', () => {
  it('--rejects naming the input file (or a hard link to it, or import all into its own directory) is refused with exit 2', async () => {
    const { db, dir } = await setup();
    const input = path.join(dir, 'products.csv');
    fs.writeFileSync(input, PRODUCTS);
    fs.linkSync(input, path.join(dir, 'same.csv'));
    for (const rejects of [input, path.join(dir, 'same.csv')]) {
      const r = await runCli(['import', 'products', input, '--skip-invalid', '--rejects', rejects], { db });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error: ${rejects}: is the input file ${input}; refusing to overwrite it`);
    }
    const all = await runCli(['import', 'all', dir, '--skip-invalid', '--rejects', dir], { db });
    expect(all.code, all.stderr).toBe(2);
    expect(all.stderr).toContain(`${path.join(dir, 'products.csv')}: is the input file`);
    expect(fs.readFileSync(input, 'utf8')).toBe(PRODUCTS);
    expect(await history(db)).toHaveLength(1);
    await dbCheck(db);
  });

  itSqlite(
    'an output naming the database, a hard link to it or its -wal/-shm/-journal file is refused with exit 2, the database untouched (SQLite only)',
    async () => {
      const { db, dir } = await setup();
      const input = path.join(dir, 'products.csv');
      fs.writeFileSync(input, PRODUCTS);
      const link = path.join(path.dirname(db), 'same.db');
      fs.linkSync(db, link);
      const before = fs.readFileSync(db);
      const targets = [db, link, `${db}-wal`, `${db}-shm`, `${db}-journal`];
      for (const out of targets) {
        const runs = [
          ['export', 'products', '--out', out],
          ['import', 'products', input, '--skip-invalid', '--rejects', out],
          ['db', 'backup', out, '--yes'],
          ['report', 'html', '--out', out],
          ['invoices', 'print', 'INV-2026-00001', '--out', out],
        ];
        for (const args of runs) {
          const r = await runCli(args, { db });
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toMatch(
            new RegExp(`^error: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is the database(?:'s -(?:wal|shm|journal) file)? `),
          );
          expect(r.stderr).toContain('refusing to overwrite it');
        }
      }
      expect(fs.readFileSync(db)).toEqual(before);
      expect(fs.readdirSync(path.dirname(db)).sort()).toEqual(['same.db', path.basename(db)]);
      expect(fs.readdirSync(dir).sort()).toEqual(['products.csv', 'seed.csv']);
      expect(await history(db)).toHaveLength(1);
      await dbCheck(db);
    },
  );

  it('an output where no file can be created is exit 2 naming the path as given and why, never a temporary name', async () => {
    const { db, dir } = await setup();
    const input = path.join(dir, 'products.csv');
    fs.writeFileSync(input, PRODUCTS);
    // /sys refuses new files even to root (a read-only directory would not stop root)
    const out = '/sys/acctmgr-out.csv';
    const runs = [
      ['export', 'products', '--out', out],
      ['import', 'products', input, '--skip-invalid', '--rejects', out],
      ['db', 'backup', out, '--yes'],
    ];
    for (const args of runs) {
      const r = await runCli(args, { db });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        /^error: \/sys\/acctmgr-out\.csv: (permission denied|operation not permitted|read-only file system): cannot create a file in \/sys\n/,
      );
      expect(r.stderr).not.toContain('.tmp-');
    }
    expect(await history(db)).toHaveLength(1);
  });

  it('never writes through a symlink: --rejects, export --out and db backup refuse it (exit 2), its target untouched', async () => {
    const { db, dir } = await setup();
    const input = path.join(dir, 'products.csv');
    fs.writeFileSync(input, PRODUCTS);
    const precious = path.join(dir, 'precious.txt');
    fs.writeFileSync(precious, 'do not touch\n');
    const link = path.join(dir, 'link.csv');
    fs.symlinkSync(precious, link);
    const runs = [
      ['import', 'products', input, '--skip-invalid', '--rejects', link],
      ['export', 'products', '--out', link],
      ['db', 'backup', link, '--yes'],
    ];
    for (const args of runs) {
      const r = await runCli(args, { db });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`error: ${link}: is a symbolic link; refusing to write through it`);
    }
    expect(fs.readFileSync(precious, 'utf8')).toBe('do not touch\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.csv', 'precious.txt', 'products.csv', 'seed.csv']);
    expect(await history(db)).toHaveLength(1);
    await dbCheck(db);
  });

  it('export --out DIR is an error naming the directory, and leaves no temporary file', async () => {
    const { db, dir } = await setup();
    const out = path.join(dir, 'exports');
    fs.mkdirSync(out);
    const r = await runCli(['export', 'products', '--out', out], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${out}: is a directory`);
    expect(fs.readdirSync(dir).sort()).toEqual(['exports', 'seed.csv']);
    expect(fs.readdirSync(out)).toEqual([]);
    const backup = await runCli(['db', 'backup', out, '--yes'], { db });
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain(`error: ${out}: is a directory`);
    await dbCheck(db);
  });

  it('export --out FIFO writes into the pipe, which stays a pipe', async () => {
    const { db, dir } = await setup();
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    cat.stdout.setEncoding('utf8').on('data', (d: string) => (got += d));
    const done = new Promise<void>((resolve) => cat.on('close', () => resolve()));
    const r = await runCli(['export', 'products', '--out', fifo], { db });
    // when the pipe was not written (or replaced), nobody opens it for writing: let the reader go
    const timer = setTimeout(() => cat.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
    expect(r.code, r.stderr).toBe(0);
    expect(got).toBe('code,name\nBIO,Biology\nMATH,Maths\n');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['pipe', 'seed.csv']);
    await dbCheck(db);
  });

  it.runIf(fs.statSync('/dev/null').isCharacterDevice())(
    'export --out /dev/null writes into the device and never replaces it',
    async () => {
      const { db } = await setup();
      const r = await runCli(['export', 'products', '--out', '/dev/null'], { db });
      expect(r.code, r.stderr).toBe(0);
      expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
      await dbCheck(db);
    },
  );
});

describe('reading standard input and pipes', () => {
  it('import ENTITY - reads standard input, naming it <stdin> in error lines; import all - is a usage error', async () => {
    const { db } = await setup();
    const bad = await runCli(['import', 'products', '-'], { db, input: PRODUCTS });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('<stdin>:3: code: "bad code": may contain only');
    const ok = await runCli(['import', 'products', '-', '--json'], { db, input: 'code,name\nCHEM,Chemistry\n' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ inserted: 1 });
    expect((await history(db))[0]).toMatchObject({ source: '-', inserted: 1 });
    const all = await runCli(['import', 'all', '-'], { db, input: PRODUCTS });
    expect(all.code).toBe(2);
    await dbCheck(db);
  });

  it('import ENTITY FIFO reads what is written into the pipe (not an "empty file")', async () => {
    const { db, dir } = await setup();
    const fifo = path.join(dir, 'products.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'printf "code,name\\nCHEM,Chemistry\\nPHYS,Physics\\n" > "$1"', 'sh', fifo], { stdio: 'ignore' });
    const written = new Promise<void>((resolve) => writer.on('close', () => resolve()));
    const r = await runCli(['import', 'products', fifo, '--json'], { db });
    const timer = setTimeout(() => writer.kill('SIGKILL'), 5_000);
    await written;
    clearTimeout(timer);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: 2 });
    expect((await runCli(['export', 'products'], { db })).stdout).toBe(
      'code,name\nBIO,Biology\nCHEM,Chemistry\nMATH,Maths\nPHYS,Physics\n',
    );
    await dbCheck(db);
  });

  // a process: the reader thread is the built worker
  it('a large file on standard input is read in the reader thread like any large file', async () => {
    const db = given.fresh();
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'accounts.csv'),
      `external_id,name,type\n${Array.from({ length: 200 }, (_, i) => `A${i},School ${i},school`).join('\n')}\n`,
    );
    expect((await runCli(['import', 'accounts', path.join(dir, 'accounts.csv')], { db })).code).toBe(0);
    const rows = Array.from(
      { length: 30_000 },
      (_, i) => `A${i % 200},Teacher Number ${i},teacher.number.${i}@school${i % 200}.example,teacher`,
    );
    const input = `account_external_id,name,email,role\n${rows.join('\n')}\n`;
    expect(input.length).toBeGreaterThan(2 << 20);
    const r = await spawnCli(['import', 'contacts', '-', '--json', '--debug'], { db, input });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ inserted: 30_000 });
    expect(r.stderr).toContain('debug: <stdin>: rows read and prepared in a reader thread');
    await dbCheck(db);
  });
});
