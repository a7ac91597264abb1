/**
 * The benchmarks' PostgreSQL side: a database of their own on the test server (ACCTMGR_TEST_PG_URL, else
 * postgres://root@127.0.0.1:5432/test), created with SQL as `createdb` would and dropped afterwards, and
 * the acctmgr binary run against it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Kysely, PostgresDialect, sql } from '#kysely';
import { pgSuspendIndexes } from '../src/db/pg-bulk.js';

export const PG_URL = process.env.ACCTMGR_TEST_PG_URL || 'postgres://root@127.0.0.1:5432/test';
/** psql: on PATH, or named by PSQL. */
export const PSQL = process.env.PSQL || 'psql';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/acctmgr.js');

/** The URL of database `name` on the benchmark's server. */
export function pgUrl(name: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new database (a copy of `template` when given); its URL. */
export async function createPgDb(name: string, template?: string): Promise<string> {
  await admin(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  return pgUrl(name);
}

export async function dropPgDb(name: string): Promise<void> {
  await admin(`drop database if exists "${name}" with (force)`);
}

/** A name no other run uses at the same time. */
export function pgDbName(what: string): string {
  return `acctmgr_bench_${what}_${process.pid}`;
}

/** Runs the built acctmgr; stdout, or an error with its stderr. */
export function acctmgr(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`acctmgr ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}

/** A migrated database holding a copy of a SQLite file (`db migrate`, then `db copy --to`), analyzed. */
export async function pgCopyOf(sqliteFile: string, name: string): Promise<string> {
  const url = await createPgDb(name);
  acctmgr(['--db', url, 'db', 'migrate']);
  acctmgr(['--db', sqliteFile, 'db', 'copy', '--to', url]);
  // planner statistics now, as a database in use has them (autovacuum would gather them a while later)
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return url;
}

/** Seconds `psql -c "\copy …"` takes to load a CSV file into a new table of text columns (dropped after). */
export function psqlCopySeconds(url: string, csv: string, columns: readonly string[]): number {
  const psql = (command: string) => {
    const r = spawnSync(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', command], { encoding: 'utf8' });
    if (r.error)
      throw new Error(
        `the PostgreSQL benchmark compares with psql, and "${PSQL}" cannot run (${r.error.message}): install it or name it with PSQL=`,
      );
    if (r.status !== 0) throw new Error(`psql ${command.slice(0, 80)}: ${r.stderr}`);
  };
  psql(`drop table if exists contacts_raw; create table contacts_raw (${columns.map((c) => `${c} text`).join(', ')})`);
  const t0 = process.hrtime.bigint();
  psql(`\\copy contacts_raw from '${csv.replace(/'/g, "''")}' with (format csv, header true)`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  psql('drop table contacts_raw');
  return seconds;
}

/** Columns an import leaves to the defaults while it loads (pgSuspendIndexes sets them), or to their own. */
const LEFT_TO_DEFAULTS = ['import_batch_id', 'created_at', 'updated_at', 'rev'];

/**
 * The server's own share of a large import (its floor): the rows an import loaded into `table` of database
 * `imported`, written out as COPY text, loaded again into a fresh copy of `template` as the import loads
 * them — one transaction, the same indexes and foreign keys suspended and rebuilt by the import's own code
 * (src/db/pg-bulk.ts), the same columns left to defaults — but fed from a file instead of by the importer
 * (no reading, no validation, no encoding). Seconds from BEGIN to the end of COMMIT: no client can import
 * the file into this schema faster on this server. The file is removed; the database is dropped.
 */
export async function pgServerFloorSeconds(imported: string, template: string, table: string, dir: string): Promise<number> {
  const file = path.join(dir, `${table}.copy`);
  const source = new pg.Client({ connectionString: pgUrl(imported) });
  await source.connect();
  let columns: string[];
  try {
    const { rows } = await source.query<{ name: string }>(
      'select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position',
      [table],
    );
    columns = rows.map((r) => r.name).filter((c) => !LEFT_TO_DEFAULTS.includes(c));
    const list = columns.map((c) => `"${c}"`).join(', ');
    await pipeline(source.query(copyStreams.to(`copy (select ${list} from "${table}" order by id) to stdout`)), fs.createWriteStream(file));
  } finally {
    await source.end();
  }
  const name = `${imported}_floor`;
  const pool = new pg.Pool({ connectionString: await createPgDb(name, template), max: 1 });
  // one connection: kysely's statements and the COPY share its transaction
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  try {
    const t0 = process.hrtime.bigint();
    await sql`begin`.execute(db);
    const { rows } = await sql<{ id: number }>`select max(id) as id from import_batches`.execute(db);
    const now = new Date().toISOString();
    const suspended = await pgSuspendIndexes(db, table, { import_batch_id: Number(rows[0]!.id), created_at: now, updated_at: now });
    if (!suspended.suspended) throw new Error(`the benchmark's role does not own ${table}`);
    const client = await pool.connect();
    try {
      const list = columns.map((c) => `"${c}"`).join(', ');
      await pipeline(fs.createReadStream(file), client.query(copyStreams.from(`copy "${table}" (${list}) from stdin`)));
    } finally {
      client.release();
    }
    await suspended.restore();
    await sql`commit`.execute(db);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await db.destroy();
    fs.rmSync(file, { force: true });
    await dropPgDb(name);
  }
}
