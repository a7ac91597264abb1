/**
 * `db copy --to URL`, the engine part: every table of a SQLite database into an empty, migrated
 * PostgreSQL database, inside the caller's transaction on the target. Ids are copied as they are (every
 * reference stays right) and each identity sequence is moved past the copied ids (and past SQLite's own
 * AUTOINCREMENT counter, so an id once used and deleted is not handed out again). The tables come from
 * the source's catalogue, so a table a later migration adds is copied without a change here.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { sql, type Kysely } from '#kysely';
import { AppError, EXIT, RefusedError, UsageError } from '../errors.js';
import { maskSecret } from '../lib/config.js';
import { copyRowFormat } from './pg-copy-text.js';
import type { PgSession } from './pg-copy.js';
import { pgSuspendIndexes } from './pg-bulk.js';
import type { DB } from './schema/index.js';
import { checkUrlParameters } from './target.js';

/**
 * Migration 0018's trigger (the name is the migration's): on every INSERT into audit_log it puts the
 * inserting role into `actor`. The copy disables it while it writes the source's audit rows, which name
 * who made each change on SQLite, and enables it again before its commit.
 */
const AUDIT_ACTOR_TRIGGER = 'audit_log_actor';

/** A --to value: a PostgreSQL URL, without a password (the command line is readable by other users). */
export function parseCopyTarget(value: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql')
    throw new UsageError(`--to: not a PostgreSQL URL: ${maskSecret(value)}`, 'the form is postgres://USER@HOST:PORT/DBNAME');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--to: not a valid PostgreSQL URL', 'the form is postgres://USER@HOST:PORT/DBNAME');
  }
  if (url.password !== '')
    throw new UsageError(
      '--to: a password in the URL on the command line is refused (other users can read a command line)',
      'put it in PGPASSWORD or ~/.pgpass',
    );
  checkUrlParameters(url, '--to');
  return value;
}

export interface CopiedTable {
  table: string;
  rows: number;
}

interface SourceTable {
  name: string;
  columns: string[];
  /** columns that reference the table itself: written after every row is in */
  selfRefs: string[];
  parents: string[];
  hasId: boolean;
}

/** The source's tables, parents before children (kysely's own bookkeeping and SQLite's are not data). */
function sourceTables(sqlite: Database.Database): SourceTable[] {
  const names = (
    sqlite
      .prepare(
        `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like 'kysely\\_%' escape '\\' order by name`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const tables = names.map((name): SourceTable => {
    const columns = (sqlite.pragma(`table_info(${quote(name)})`) as { name: string }[]).map((c) => c.name);
    const fks = sqlite.pragma(`foreign_key_list(${quote(name)})`) as { table: string; from: string }[];
    return {
      name,
      columns,
      selfRefs: fks.filter((f) => f.table === name).map((f) => f.from),
      parents: [...new Set(fks.filter((f) => f.table !== name).map((f) => f.table))],
      hasId: columns.includes('id'),
    };
  });
  const ordered: SourceTable[] = [];
  const placed = new Set<string>();
  const place = (t: SourceTable, path: string[]): void => {
    if (placed.has(t.name)) return;
    if (path.includes(t.name)) throw new Error(`db copy: a cycle of foreign keys through ${t.name}`);
    for (const p of t.parents) {
      const parent = tables.find((x) => x.name === p);
      if (parent) place(parent, [...path, t.name]);
    }
    placed.add(t.name);
    ordered.push(t);
  };
  for (const t of tables) place(t, []);
  return ordered;
}

/** The target's tables that hold rows, by name: a copy goes only into an empty database. */
export async function tablesWithRows(db: Kysely<DB>): Promise<string[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely\\_%'
    order by table_name collate "C"`.execute(db);
  const out: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(name)} limit 1) x`.execute(db);
    if (Number(rows[0]?.n) > 0) out.push(name);
  }
  return out;
}

/** Copies every table of `source` into `trx` (a transaction on an empty PostgreSQL database of the same schema). */
export async function copyTables(source: Database.Database, trx: Kysely<DB>, session: PgSession): Promise<CopiedTable[]> {
  const nonEmpty = await tablesWithRows(trx).catch((e: unknown) => copyFailed(undefined, e));
  if (nonEmpty.length > 0)
    throw new RefusedError(
      `the target database is not empty (table ${nonEmpty[0]} has rows); db copy writes only into an empty database`,
      'create a new database (createdb), run acctmgr db migrate on it, and copy into that',
    );
  // only the tables' owner may disable a trigger: a team member's copy stops here, before any row
  await setAuditActorTrigger(trx, 'disable').catch((e: unknown) => copyFailed(undefined, e));
  const done: CopiedTable[] = [];
  for (const t of sourceTables(source)) {
    const copied = { table: t.name, rows: await copyTable(source, trx, session, t).catch((e: unknown) => copyFailed(t.name, e)) };
    done.push(copied);
  }
  await setAuditActorTrigger(trx, 'enable');
  // the planner's statistics of the new rows, committed with them: without them the first commands on the
  // copy (a remind cron job the same night) are planned as over empty tables until autovacuum comes round;
  // the copied tables only (a whole-database ANALYZE by an owner who is not a superuser warns of every
  // system catalogue it may not analyze)
  const filled = done.filter((t) => t.rows > 0).map((t) => sql.table(t.table));
  if (filled.length > 0) await sql`analyze ${sql.join(filled)}`.execute(trx);
  return done;
}

/**
 * SQLite's audit rows keep their actors (the OS user who made each change): migration 0018's trigger,
 * which sets every inserted row's actor to the inserting role, is off while they are written. ALTER TABLE
 * … DISABLE TRIGGER is transactional, so a copy that fails leaves the trigger as it was, and the trigger is
 * on again for the copy's own audit row and before anyone else sees the tables.
 */
async function setAuditActorTrigger(trx: Kysely<DB>, action: 'enable' | 'disable'): Promise<void> {
  await sql`alter table audit_log ${sql.raw(action)} trigger ${sql.id(AUDIT_ACTOR_TRIGGER)}`.execute(trx);
}

/**
 * After the copy has committed: VACUUM (ANALYZE) of the tables it filled, so that the copy reads as a
 * database in use does. A table just loaded has no visibility map yet, so every index-only scan of it
 * reads the table's rows too until autovacuum comes round: remind's dormant-seat scan tests seats against
 * the removed contacts' index (migration 0016), and over the benchmark's data that test took 0.66 s
 * instead of 0.01 s (the whole scan 1.7 → 1.1 s). VACUUM cannot run inside a transaction, hence after
 * the commit. Best effort: the copy is done whatever happens here, and autovacuum would do the same
 * later; what the server skips (a table neither the role nor the database belongs to) or a VACUUM that
 * fails comes back as warnings for the command to show, on a connection of its own to hear them.
 */
export async function vacuumCopied(pool: pg.Pool, tables: readonly CopiedTable[]): Promise<string[]> {
  const filled = tables.filter((t) => t.rows > 0).map((t) => quote(t.table));
  if (filled.length === 0) return [];
  const failed = (e: unknown) =>
    `db copy: VACUUM (ANALYZE) after the copy failed: ${(e as Error).message}; the copy is complete (autovacuum does the same later)`;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    return [failed(e)];
  }
  const warnings: string[] = [];
  const heard = (n: { severity?: string; message?: string }): void => {
    if (n.severity === 'WARNING') warnings.push(`db copy: VACUUM (ANALYZE) after the copy: ${n.message ?? ''}`);
  };
  client.on('notice', heard);
  try {
    await client.query(`vacuum (analyze) ${filled.join(', ')}`);
  } catch (e) {
    warnings.push(failed(e));
  } finally {
    client.off('notice', heard);
    client.release();
  }
  return warnings;
}

/**
 * A statement of the copy the server refused (the transaction, and so the copy, is rolled back): exit 1
 * naming the table and the server's reason, with what to do about it.
 * - a value it refuses (classes 22 and 23: SQLite stores what its column affinity lets in, such as text
 *   in a number column): correct the row in the SQLite database;
 * - a privilege the role lacks (42501): the copy disables a trigger and sets the id sequences, which only
 *   the tables' owner may do, so it is the owner's to run;
 * - anything else (the connection, a timeout, the server's resources) is no fault of the data: the
 *   server's reason alone.
 * An error without a SQLSTATE is not the server's and goes on as it is (a bug).
 */
export function copyFailed(table: string | undefined, e: unknown): never {
  const sqlstate = (e as { code?: unknown }).code;
  if (typeof sqlstate !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlstate)) throw e;
  const reason = `${table === undefined ? '' : `table ${table}: `}${(e as Error).message}; nothing was copied`;
  const what = `db copy: ${reason}`;
  if (sqlstate === '42501')
    throw new AppError(
      `db copy must be run by the role that owns the database's tables (the one that ran acctmgr db migrate): ${reason}`,
      'refused',
      EXIT.failed,
      'run it again as that role: --to postgres://OWNER@HOST:PORT/DBNAME',
    );
  if (sqlstate.startsWith('22') || sqlstate.startsWith('23'))
    throw new AppError(
      what,
      'invalid_data',
      EXIT.failed,
      'correct the row in the SQLite database (acctmgr db check, or the command that edits it), then copy again',
    );
  throw new AppError(what, 'refused', EXIT.failed);
}

/**
 * One table's rows with COPY FROM STDIN (src/db/pg-copy.ts), its secondary indexes and foreign keys dropped for
 * the load and made again from their definitions after it (src/db/pg-bulk.ts: a recreated foreign key checks
 * every row) — the way a large import loads: the remind benchmark's 2.9 million rows took 86 s in multi-row
 * INSERTs into the indexed tables. A reference to a row of the same table goes in with the row when its
 * foreign key is dropped; else (a role that may not drop it) it is set once every row is there.
 */
async function copyTable(source: Database.Database, trx: Kysely<DB>, session: PgSession, t: SourceTable): Promise<number> {
  const suspended = await pgSuspendIndexes(trx, t.name);
  const deferred = suspended.suspended ? [] : t.selfRefs;
  const later: Record<string, unknown>[] = [];
  const copy = session.copyInto(t.name, t.columns);
  const format = copyRowFormat(t.columns);
  let n = 0;
  const order = t.hasId ? ' order by id' : '';
  const rows = source.prepare(`select * from ${quote(t.name)}${order}`).iterate() as Iterable<Record<string, unknown>>;
  for (const row of rows) {
    let rec = row;
    if (deferred.some((c) => row[c] !== null)) {
      later.push(Object.fromEntries([['id', row.id], ...deferred.map((c) => [c, row[c]])]));
      rec = { ...row, ...Object.fromEntries(deferred.map((c) => [c, null])) };
    }
    const sent = copy.row(rec, format);
    if (sent) await sent;
    n++;
  }
  await copy.close();
  if (copy.loaded !== n) throw new Error(`db copy: COPY loaded ${copy.loaded} of ${n} rows of ${t.name}`);
  const any = trx as unknown as Kysely<any>;
  for (const r of later) await any.updateTable(t.name).set(r).where('id', '=', r.id).execute();
  await suspended.restore();
  if (t.hasId) await moveSequence(source, trx, t.name);
  return n;
}

/** The identity sequence past every copied id, and past SQLite's AUTOINCREMENT counter. */
async function moveSequence(source: Database.Database, trx: Kysely<DB>, table: string): Promise<void> {
  const max = source.prepare(`select max(id) as m from ${quote(table)}`).get() as { m: number | null };
  const hasSeqTable = source.prepare(`select 1 from sqlite_master where name = 'sqlite_sequence'`).get() !== undefined;
  const seq = hasSeqTable
    ? (source.prepare('select seq from sqlite_sequence where name = ?').get(table) as { seq: number } | undefined)
    : undefined;
  const last = Math.max(max.m ?? 0, seq?.seq ?? 0);
  if (last === 0) return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${last})`.execute(trx);
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
