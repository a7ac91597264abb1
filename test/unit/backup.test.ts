import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/connection.js';
import { backupTestSeam, backupTo } from '../../src/db/maintenance.js';
import { AppError } from '../../src/errors.js';
import { freshDb, tempDir, tempDbPath } from '../helpers/db.js';
import { describeSqlite, itPostgres } from '../helpers/engine.js';

afterEach(() => {
  backupTestSeam.copying = () => undefined;
});

/** A database of a few hundred pages (products with long names), closed; its file. */
async function filledDb(): Promise<string> {
  const t = await freshDb();
  const file = tempDbPath();
  const ins = t.handle.sqlite!.prepare(
    `insert into products (code, code_key, name, created_at, updated_at) values (?, lower(?), ?, 'x', 'x')`,
  );
  t.handle.sqlite!.transaction(() => {
    for (let i = 0; i < 3000; i++) ins.run(`P${i}`, `P${i}`, `Product ${i} ${'x'.repeat(300)}`);
  })();
  await t.handle.sqlite!.backup(file);
  await t.close();
  return file;
}

describeSqlite('db backup (SQLite only: online backup, quick_check)', () => {
  it('copies into a 0600 temporary file (also while the pages are copied), then renames it over the target', async () => {
    const h = await openDb(await filledDb());
    const dir = tempDir();
    const target = path.join(dir, 'backup.db');
    fs.writeFileSync(target, 'an older backup', { mode: 0o644 });
    const seen: { mode: number; ino: number }[] = [];
    backupTestSeam.copying = (tmp) => {
      const st = fs.statSync(tmp);
      seen.push({ mode: st.mode & 0o777, ino: st.ino });
    };
    await backupTo(h, target);
    await h.close();
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((s) => s.mode === 0o600)).toBe(true);
    // the file the pages were copied into is the backup (renamed, same inode): 0600 all along
    expect(new Set(seen.map((s) => s.ino))).toEqual(new Set([fs.statSync(target).ino]));
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['backup.db']);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('select count(*) as n from products').get()).toEqual({ n: 3000 });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('refuses the copy of a damaged database (exit 1, saying so): the target untouched, no temporary file', async () => {
    const file = await filledDb();
    const probe = new Database(file, { readonly: true });
    const root = (probe.prepare(`select rootpage from sqlite_master where name = 'products'`).get() as { rootpage: number }).rootpage;
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    probe.close();
    // the products table's root page gets an invalid page type: SQLite copies it as it is
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0x01, 0xff, 0xff]), 0, 3, (root - 1) * pageSize);
    fs.closeSync(fd);
    const h = await openDb(file);
    const dir = tempDir();
    const target = path.join(dir, 'backup.db');
    fs.writeFileSync(target, 'the last good backup');
    const e = await backupTo(h, target).catch((err: unknown) => err);
    await h.close();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).exitCode).toBe(1);
    expect((e as AppError).message).toMatch(/the backup copy fails quick_check, so the database is damaged; .*backup\.db was not written/);
    expect(fs.readFileSync(target, 'utf8')).toBe('the last good backup');
    expect(fs.readdirSync(dir)).toEqual(['backup.db']);
  });
});

describe('db backup on PostgreSQL', () => {
  /** A pg_dump on PATH that records its arguments and PGPASSWORD, then runs the real one. */
  function recordingPgDump(): { dir: string; args: string; password: string } {
    const dir = tempDir();
    const real = execFileSync('sh', ['-c', 'command -v pg_dump'], { encoding: 'utf8' }).trim();
    const script = `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\nprintf '%s' "$PGPASSWORD" > '${dir}/password'\nexec '${real}' "$@"\n`;
    fs.writeFileSync(path.join(dir, 'pg_dump'), script, { mode: 0o755 });
    return { dir, args: path.join(dir, 'args'), password: path.join(dir, 'password') };
  }

  itPostgres('runs pg_dump --format=custom into a 0600 file, the password only in its environment (PostgreSQL only)', async () => {
    const t = await freshDb();
    await t.db.insertInto('products').values({ code: 'BIO', code_key: 'bio', name: 'Biology', created_at: 'x', updated_at: 'x' }).execute();
    const fake = recordingPgDump();
    const dir = tempDir();
    const target = path.join(dir, 'backup.dump');
    fs.writeFileSync(target, 'an older backup', { mode: 0o644 });
    const withPassword = t.path.replace('://root@', '://root:s3cret-pw@'); // trust authentication ignores it
    const env = { ...process.env, PATH: `${fake.dir}:${process.env.PATH ?? ''}` };
    const r = await backupTo(t.handle, target, { url: withPassword, env });
    await t.close();
    expect(r).toMatchObject({ path: target, pages: null, restore: `pg_restore -d ${t.path} ${target}` });
    expect(fs.readFileSync(fake.password, 'utf8')).toBe('s3cret-pw');
    const args = fs.readFileSync(fake.args, 'utf8');
    expect(args).toContain('--format=custom');
    expect(args).not.toContain('s3cret-pw');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['backup.dump']);
    expect(fs.readFileSync(target).subarray(0, 5).toString()).toBe('PGDMP');
    expect(r.bytes).toBe(fs.statSync(target).size);
  });

  itPostgres('without pg_dump on PATH: exit 1 naming it, the target untouched, no temporary file (PostgreSQL only)', async () => {
    const t = await freshDb();
    const dir = tempDir();
    const target = path.join(dir, 'backup.dump');
    fs.writeFileSync(target, 'the last good backup');
    const e = await backupTo(t.handle, target, { url: t.path, env: { ...process.env, PATH: tempDir() } }).catch((err: unknown) => err);
    await t.close();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).exitCode).toBe(1);
    expect((e as AppError).message).toBe('pg_dump not found on PATH: db backup on PostgreSQL runs pg_dump');
    expect(fs.readFileSync(target, 'utf8')).toBe('the last good backup');
    expect(fs.readdirSync(dir)).toEqual(['backup.dump']);
  });
});
