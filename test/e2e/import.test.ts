import fs from 'node:fs';
import path from 'node:path';
import { sql, type RawBuilder } from '#kysely';
import { describe, expect, it } from 'vitest';
import { dbFiles, ROOT, runCli, runJson, spawnBinary } from '../helpers/cli.js';
import { openTestDb, tempDir } from '../helpers/db.js';
import { onPostgres } from '../helpers/engine.js';

const HAZARDS = path.join(ROOT, 'test/fixtures-import/hazards');
const ALL = path.join(ROOT, 'test/fixtures-import/all');

/** The database's content as the program shows it, plus `db check`. */
async function state(db: string): Promise<string> {
  const check = await runCli(['db', 'check'], { db });
  expect(check.code).toBe(0);
  const products = await runCli(['export', 'products'], { db });
  const history = await runCli(['import', 'history', '--json'], { db });
  return products.stdout + history.stdout;
}

/**
 * The database's schema. PostgreSQL: its indexes with their definitions, its constraints and its columns'
 * defaults — what a bulk import drops or changes until its commit (src/db/pg-bulk.ts) —, and its triggers.
 * SQLite: sqlite_master (the bulk load drops indexes too: src/db/bulk.ts).
 */
async function schema(db: string): Promise<Record<string, unknown[]>> {
  const h = await openTestDb(db);
  const rows = async <T>(query: RawBuilder<T>) => (await query.execute(h.db)).rows;
  try {
    if (!onPostgres) return { sqlite_master: await rows(sql`select type, name, tbl_name, sql from sqlite_master order by type, name`) };
    return {
      indexes: await rows(sql<{ tablename: string }>`
        select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by tablename, indexname`),
      constraints: await rows(sql<{ table: string; contype: string }>`
        select c.conrelid::regclass::text as table, c.conname, c.contype, pg_get_constraintdef(c.oid) as def
        from pg_constraint c where c.connamespace = current_schema()::regnamespace order by 1, 2`),
      defaults: await rows(sql<{ table_name: string; column_default: string | null }>`
        select table_name, column_name, column_default from information_schema.columns
        where table_schema = current_schema() order by table_name, ordinal_position`),
      triggers: await rows(sql`
        select tgrelid::regclass::text as table, tgname, pg_get_triggerdef(oid) as def from pg_trigger
        where not tgisinternal and tgrelid in (select oid from pg_class where relnamespace = current_schema()::regnamespace)
        order by 1, 2`),
    };
  } finally {
    await h.close();
  }
}

const given = dbFiles();

/**
 * Whether an import is writing contacts into `db` now. SQLite: into the database file itself (a large
 * import runs with a rollback journal: src/db/bulk.ts) or into the WAL. PostgreSQL: another session's
 * COPY into contacts has loaded thousands of rows (the server's progress view; they are invisible until
 * its commit).
 */
async function writingContacts(db: string): Promise<{
  now: () => Promise<boolean>;
  /**
   * PostgreSQL: whether the session whose COPY loads contacts has dropped the table's secondary indexes
   * (src/db/pg-bulk.ts): it holds the lock DROP INDEX takes on each (its catalog changes are invisible
   * here until it commits). Not known on SQLite.
   */
  indexesDropped?: () => Promise<boolean>;
  close: () => Promise<void>;
}> {
  if (onPostgres) {
    const h = await openTestDb(db);
    return {
      now: async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*) as n from pg_stat_progress_copy
          where relid = 'contacts'::regclass and command = 'COPY FROM' and tuples_processed > 20000
            and datname = current_database() and pid <> pg_backend_pid()`.execute(h.db);
        return Number(rows[0]!.n) > 0;
      },
      indexesDropped: async () => {
        // the indexes pgSuspendIndexes drops: not partial, not a constraint's
        const { rows } = await sql<{ indexes: number; dropped: number }>`
          select count(*) as indexes, count(l.pid) as dropped
          from pg_index x
          left join pg_locks l on l.relation = x.indexrelid and l.mode = 'AccessExclusiveLock' and l.granted
            and l.pid in (select pid from pg_stat_progress_copy where relid = 'contacts'::regclass and datname = current_database())
          where x.indrelid = 'contacts'::regclass and x.indpred is null
            and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)`.execute(h.db);
        const { indexes, dropped } = rows[0]!;
        return Number(indexes) > 0 && Number(dropped) === Number(indexes);
      },
      close: () => h.close(),
    };
  }
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const [dbBefore, walBefore] = [size(db), size(`${db}-wal`)];
  const now = () => (size(`${db}-journal`) > 0 && size(db) > dbBefore) || size(`${db}-wal`) > walBefore + 4096;
  return { now: () => Promise.resolve(now()), close: () => Promise.resolve() };
}

describe('acctmgr import (end to end)', () => {
  it('reads BOM/CRLF/quoted newlines and ; files; prints the JSON summary on stdout and the summary on stderr', async () => {
    const db = given.fresh();
    // a name is one line: the quoted name over two lines (CRLF inside the quotes) is rejected, on its line
    const r = await runCli(['import', 'products', path.join(HAZARDS, 'bom-crlf-products.csv'), '--json', '--skip-invalid'], { db });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(s)).toEqual(['batch_id', 'entities', 'inserted', 'updated', 'unchanged', 'rejected', 'seconds', 'rows_per_second']);
    expect(s).toMatchObject({ batch_id: 1, entities: { products: { inserted: 2, updated: 0, unchanged: 0, rejected: 1 } }, inserted: 2 });
    expect(r.stderr).toContain(
      'bom-crlf-products.csv:4: name: "E-diary\\r\\nsecond line": must not contain control characters, tabs or line breaks (found U+000D)',
    );
    expect(r.stderr).toMatch(/batch 1: 2 inserted/);
    const semi = await runJson<Record<string, number>>(['import', 'products', path.join(HAZARDS, 'semicolon-products.csv')], { db });
    expect(semi).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 }); // BIO renamed "Biology", DIARY "E;diary"
    const header = await runJson<Record<string, number>>(['import', 'products', path.join(HAZARDS, 'header-only-products.csv')], { db });
    expect(header).toMatchObject({ batch_id: null, inserted: 0 });
    const csv = await runCli(['export', 'products'], { db });
    expect(csv.stdout).toBe('code,name\nBIO,Biology\nDIARY,E;diary\nMATH,Maths\n');
  });

  it('refuses broken files with exit 1 naming file and line, leaving the database unchanged', async () => {
    const db = given.fresh();
    await runCli(['import', 'products', path.join(HAZARDS, 'bom-crlf-products.csv'), '--skip-invalid'], { db });
    const before = await state(db);
    const cases: [string, string[], RegExp][] = [
      ['unterminated-products.csv', [], /unterminated-products\.csv:3: a quoted field opened on this line is never closed/],
      ['empty-products.csv', [], /empty-products\.csv: empty file: no header row/],
      ['latin1-products.csv', [], /latin1-products\.csv:3: the file is not valid UTF-8[\s\S]*--encoding/],
    ];
    for (const [file, extra, message] of cases) {
      const r = await runCli(['import', 'products', path.join(HAZARDS, file), ...extra], { db });
      expect(r.code, file).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'm.csv'), 'login,name,email,password\nx,X,x@v.example,s3cret-value\n');
    const pw = await runCli(['import', 'managers', path.join(dir, 'm.csv')], { db });
    expect(pw.code).toBe(1);
    expect(pw.stderr).toContain('password columns are refused');
    expect(pw.stderr).not.toContain('s3cret');
    fs.writeFileSync(path.join(dir, 'p.csv'), 'code,name\nok,Fine\nbad code,Bad\n');
    const rows = await runCli(['import', 'products', path.join(dir, 'p.csv')], { db });
    expect(rows.code).toBe(1);
    expect(rows.stderr).toContain(`${path.join(dir, 'p.csv')}:3: code: "bad code": may contain only`);
    expect(rows.stderr).toContain('error: nothing was imported: 1 error in 1 row');
    expect(await state(db)).toBe(before);
    const latin = await runJson<Record<string, number>>(
      ['import', 'products', path.join(HAZARDS, 'latin1-products.csv'), '--encoding', 'latin1'],
      { db },
    );
    expect(latin.inserted).toBe(1);
    expect((await runCli(['import', 'products', path.join(dir, 'p.csv'), '--delimiter', '|'], { db })).code).toBe(2);
    expect((await runCli(['import', 'products', path.join(dir, 'p.csv'), '--on-existing', 'merge'], { db })).code).toBe(2);
  });

  it('imports a directory in one transaction, exports it back identically, and undoes the batch', async () => {
    const db = given.fresh();
    const all = await runJson<{ batch_id: number; entities: Record<string, { inserted: number }> }>(['import', 'all', ALL], { db });
    expect(Object.keys(all.entities)).toEqual([
      'managers',
      'groups',
      'accounts',
      'contacts',
      'products',
      'plans',
      'prices',
      'subscriptions',
      'seats',
      'logins',
    ]);
    const out = tempDir();
    const ex = await runCli(['export', 'subscriptions', '--out', path.join(out, 'subscriptions.csv')], { db });
    expect(ex.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'subscriptions.csv'), 'utf8')).toContain(
      'SUB-4,TUT-001,BIO,BIO-BASIC,1,24,2026-02-01,2028-01-31,cancelled,,1500.50,,\n',
    );
    const json = await runJson<Record<string, unknown>[]>(['export', 'accounts', '--format', 'json'], { db });
    expect(json[0]).toMatchObject({ external_id: 'CO-001', group: 'Partners', fields: {} });
    const hist = await runJson<{ batch_id: number; status: string; inserted: number }[]>(['import', 'history'], { db });
    expect(hist[0]).toMatchObject({ batch_id: all.batch_id, status: 'applied', inserted: 31 }); // rows of the files; the new group Partners is extra
    const refused = await runCli(['import', 'undo', String(all.batch_id)], { db });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused without --yes');
    // a batch that is not a number: a usage error with its line, like an option's value
    expect(await runCli(['import', 'undo', 'abc', '--yes'], { db })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining(`error: command-argument value 'abc' is invalid for argument 'batch'. "abc" is not a whole number`),
    });
    const undo = await runCli(['import', 'undo', String(all.batch_id), '--yes', '--json'], { db });
    expect(undo.code).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ batch_id: all.batch_id, deleted: 32, restored: 0 });
    expect((await runCli(['export', 'accounts'], { db })).stdout.split('\n')).toHaveLength(2); // header only
  });

  // a process, to kill
  it('a SIGKILL in the middle of a large import (on PostgreSQL: of its COPY) leaves the database as it was', async () => {
    const db = given.fresh();
    const dir = tempDir();
    const accounts = Array.from({ length: 1000 }, (_, i) => `A${i},School ${i},school`).join('\n');
    fs.writeFileSync(path.join(dir, 'accounts.csv'), `external_id,name,type\n${accounts}\n`);
    expect((await runCli(['import', 'accounts', path.join(dir, 'accounts.csv')], { db })).code).toBe(0);
    const rows: string[] = [];
    for (let i = 0; i < 600_000; i++) rows.push(`A${i % 1000},Teacher ${i},t${i}@s${i % 1000}.example,teacher`);
    fs.writeFileSync(path.join(dir, 'contacts.csv'), `account_external_id,name,email,role\n${rows.join('\n')}\n`);
    const before = await state(db);
    const schemaBefore = await schema(db);
    // what the comparison covers: contacts' indexes, foreign keys and the defaults the import changes
    if (onPostgres) {
      expect(schemaBefore.indexes).toContainEqual(expect.objectContaining({ tablename: 'contacts' }));
      expect(schemaBefore.constraints).toContainEqual(expect.objectContaining({ table: 'contacts', contype: 'f' }));
      expect(schemaBefore.defaults).toContainEqual(expect.objectContaining({ table_name: 'contacts', column_default: expect.any(String) }));
    } else expect(schemaBefore.sqlite_master).toContainEqual(expect.objectContaining({ type: 'index', tbl_name: 'contacts' }));
    const child = spawnBinary(['import', 'contacts', path.join(dir, 'contacts.csv')], { db, stdio: ['ignore', 'ignore', 'pipe'] });
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    const writing = await writingContacts(db);
    const started = Date.now();
    while (!(await writing.now()) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 10));
    expect(await writing.now()).toBe(true);
    const dropped = await writing.indexesDropped?.();
    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL'); // it was killed, not finished
    await writing.close();
    // on PostgreSQL the kill landed while the COPY ran with contacts' indexes dropped (its foreign keys went just before them)
    if (onPostgres) expect(dropped, 'the import had dropped contacts’ indexes when it was killed').toBe(true);
    expect(await state(db)).toBe(before);
    expect(await schema(db)).toEqual(schemaBefore);
    const count = await runCli(['contacts', 'list', '--format', 'csv'], { db });
    expect(count.stdout.trim().split('\n').length).toBeLessThanOrEqual(1);
  });
});
