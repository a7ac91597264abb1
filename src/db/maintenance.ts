/** Maintenance: backup (SQLite's online backup, pg_dump on PostgreSQL) and integrity checks. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError, EXIT } from '../errors.js';
import { KEY_COLUMNS } from './schema/key-columns.js';
import { foldKey } from '../lib/keys.js';
import { createPrivateTemp, outputKind } from '../lib/output-file.js';
import type { Kysely } from '#kysely';
import { noSchema, type DbHandle } from './connection.js';
import { duplicateKeys, type DuplicateKey } from './duplicate-keys.js';
import { migrationStatus } from './migrator.js';
import { streamRows, type Streamable } from './rows.js';
import { seatsOfOtherAccounts, type SeatOfOtherAccount } from './seat-accounts.js';
import type { DB } from './schema/index.js';

/** The migration from which on a seat's stored last login is never behind its login events. */
const LAST_LOGIN_MIGRATION = '0015_seat_last_login';

/** Tests only: called while pages are being copied, with the temporary file's path. */
export const backupTestSeam = { copying: (_tmp: string): void => undefined };

export interface BackupResult {
  path: string;
  bytes: number;
  /** SQLite: the pages copied; PostgreSQL: null (pg_dump writes no pages) */
  pages: number | null;
  /** PostgreSQL: the command that restores it */
  restore?: string;
}

/** Where a PostgreSQL database is (its URL, which may carry a password) and the environment for pg_dump. */
export interface PgSource {
  url: string;
  env: NodeJS.ProcessEnv;
}

/**
 * SQLite's online backup API: a consistent copy even while another process writes. Copied into a 0600
 * temporary file beside the target, checked with `PRAGMA quick_check`, then renamed over the target: a
 * failed backup, or the copy of a damaged database, leaves the target as it was and no temporary file.
 * PostgreSQL: `pg_dump --format=custom`, the same way (src/db/pg-dump.ts).
 */
export async function backupTo(h: DbHandle, target: string, pg?: PgSource): Promise<BackupResult> {
  outputKind(target, false);
  if (!h.sqlite) {
    if (!pg) throw new Error('backupTo: a PostgreSQL backup needs the URL');
    const { pgDumpTo } = await import('./pg-dump.js');
    const r = await pgDumpTo(pg.url, pg.env, target);
    return { path: r.path, bytes: r.bytes, pages: null, restore: r.restore };
  }
  const sqlite = h.sqlite;
  const tmp = createPrivateTemp(path.dirname(path.resolve(target)), target);
  fs.closeSync(tmp.fd);
  try {
    const result = await sqlite.backup(tmp.path, {
      progress: () => {
        backupTestSeam.copying(tmp.path);
        return 100;
      },
    });
    const problems = quickCheck(tmp.path);
    if (problems.length > 0) {
      throw new AppError(
        `the backup copy fails quick_check, so the database is damaged; ${target} was not written\n  ${problems.slice(0, 10).join('\n  ')}`,
        'invalid_data',
        EXIT.failed,
        'run acctmgr db check; restore the last good backup',
      );
    }
    fs.renameSync(tmp.path, target);
    return { path: target, bytes: fs.statSync(target).size, pages: result.totalPages };
  } finally {
    for (const f of [tmp.path, `${tmp.path}-journal`, `${tmp.path}-wal`, `${tmp.path}-shm`]) fs.rmSync(f, { force: true });
  }
}

/** The copy's quick_check findings (none: it is sound); a copy too damaged to check is one finding. */
function quickCheck(file: string): string[] {
  let copy: Database.Database | undefined;
  try {
    copy = new Database(file, { readonly: true });
    const rows = (copy.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
  } catch (e) {
    return [(e as Error).message];
  } finally {
    copy?.close();
  }
}

export interface CheckReport {
  ok: boolean;
  integrity: string[];
  foreign_key_violations: { table: string; rowid: number | null; parent: string }[];
  /** stored folded keys that are not the fold of their key as written (the first 100) */
  key_mismatches: KeyMismatch[];
  /**
   * seats whose stored last login is earlier than their latest login event, or empty while they have
   * one (the first 100): the dormancy rules read the stored one alone (migration 0015)
   */
  last_logins_behind: LastLoginBehind[];
  /** values of a unique key (src/db/schema/unique-keys.ts) that more than one row holds (the first 100) */
  duplicate_keys: DuplicateKey[];
  /** seats not removed whose contact is not of the subscription's account (the first 100) */
  seats_of_other_accounts: SeatOfOtherAccount[];
}

export interface LastLoginBehind {
  seat_id: number;
  last_login_at: string | null;
  latest_event: string;
}

export interface KeyMismatch {
  table: string;
  id: number;
  column: string;
}

/**
 * The checks of `db check`. A page damaged badly enough makes SQLite refuse a check outright
 * (SQLITE_CORRUPT) instead of listing problems: that refusal is then what the report says. PostgreSQL
 * has no page check to run here (`integrity` says "ok" when its catalogue answers); its foreign keys are
 * checked by queries (src/db/pg-checks.ts). On both, by queries: the stored key columns, and every
 * unique key for rows that share it (src/db/duplicate-keys.ts: found even where its index is gone).
 */
export async function checkDatabase(h: DbHandle): Promise<CheckReport> {
  if (!h.sqlite) {
    const { pgForeignKeyViolations } = await import('./pg-checks.js');
    const violations = await pgForeignKeyViolations(h.db);
    const columns = await tableColumns(h.db);
    const keys = await keyMismatches(h, columns, 100);
    const behind = await lastLoginsBehind(h.db, 100);
    const duplicates = await duplicateKeys(h.db, h.engine, columns, 100);
    const otherAccounts = await seatsOfOtherAccounts(h.db, 100);
    return {
      ok: violations.length === 0 && keys.length === 0 && behind.length === 0 && duplicates.length === 0 && otherAccounts.length === 0,
      integrity: ['ok'],
      foreign_key_violations: violations,
      key_mismatches: keys,
      last_logins_behind: behind,
      duplicate_keys: duplicates,
      seats_of_other_accounts: otherAccounts,
    };
  }
  const sqlite = h.sqlite;
  const integrity: string[] = [];
  try {
    integrity.push(...(sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check));
  } catch (e) {
    integrity.push(sqliteFailure(e, 'integrity_check'));
  }
  let violations: CheckReport['foreign_key_violations'] = [];
  try {
    const fk = sqlite.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
    violations = fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
  } catch (e) {
    integrity.push(sqliteFailure(e, 'foreign_key_check'));
  }
  const intact = integrity.length === 1 && integrity[0] === 'ok';
  // a damaged file is not read further than the integrity check needs
  const columns = intact ? await tableColumns(h.db) : new Set<string>();
  const keys = intact ? await keyMismatches(h, columns, 100) : [];
  const behind = intact ? await lastLoginsBehind(h.db, 100) : [];
  const duplicates = intact ? await duplicateKeys(h.db, h.engine, columns, 100) : [];
  const otherAccounts = intact ? await seatsOfOtherAccounts(h.db, 100) : [];
  return {
    ok:
      intact &&
      violations.length === 0 &&
      keys.length === 0 &&
      behind.length === 0 &&
      duplicates.length === 0 &&
      otherAccounts.length === 0,
    integrity,
    foreign_key_violations: violations,
    key_mismatches: keys,
    last_logins_behind: behind,
    duplicate_keys: duplicates,
    seats_of_other_accounts: otherAccounts,
  };
}

/**
 * `db check` on a file: a database that cannot even be opened and read is reported, not thrown. One
 * that no acctmgr migrated yet (a new, empty SQLite file; a PostgreSQL database before `db migrate`) is
 * refused, as other commands refuse it on PostgreSQL: there is nothing of acctmgr's to check, and `db
 * check` migrates nothing.
 */
export async function checkFile(open: () => Promise<DbHandle>): Promise<CheckReport> {
  let h: DbHandle;
  try {
    h = await open();
  } catch (e) {
    return {
      ok: false,
      integrity: [sqliteFailure(e, 'open')],
      foreign_key_violations: [],
      key_mismatches: [],
      last_logins_behind: [],
      duplicate_keys: [],
      seats_of_other_accounts: [],
    };
  }
  if (await unmigrated(h)) throw noSchema(h);
  return checkDatabase(h);
}

/** No migration applied. A SQLite file too damaged to say is not refused here: the checks report it. */
async function unmigrated(h: DbHandle): Promise<boolean> {
  try {
    return (await migrationStatus(h.db)).every((m) => !m.applied);
  } catch (e) {
    sqliteFailure(e, 'read');
    return false;
  }
}

/** The message of a SQLite error (its code says so); anything else is not a finding but a failure. */
function sqliteFailure(e: unknown, what: string): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw e;
  return `${what} failed: ${(e as Error).message} (${code})`;
}

/** Every `table.column` the database has: checks skip what a pending migration adds (nothing there to check yet). */
async function tableColumns(db: Kysely<DB>): Promise<Set<string>> {
  const tables = await (db as Kysely<any>).introspection.getTables();
  return new Set(tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
}

/** Every stored key column against the fold of its key (src/db/schema/key-columns.ts): what no writer may miss. */
async function keyMismatches(h: DbHandle, columns: ReadonlySet<string>, max: number): Promise<KeyMismatch[]> {
  const out: KeyMismatch[] = [];
  const any = h.db as Kysely<any>;
  // a database from before the key columns (migration 0005, not yet applied) has none to check
  for (const k of KEY_COLUMNS) {
    if (!k.key || !columns.has(`${k.table}.${k.key}`)) continue;
    const query = any
      .selectFrom(k.table)
      .select(['id', `${k.source} as v`, `${k.key} as k`])
      .orderBy('id') as Streamable<{ id: number; v: unknown; k: unknown }>;
    for await (const r of streamRows(h, query)) {
      if (typeof r.v === 'string' && r.k === foldKey(r.v)) continue;
      out.push({ table: k.table, id: r.id, column: k.key });
      if (out.length === max) return out;
    }
  }
  return out;
}

/**
 * Seats whose stored last login is behind their latest login event (the first `max`, by id). Before
 * migration 0015 (pending: `db check` applies none) that is not a fault yet: the migration catches
 * them up, so nothing is reported.
 */
async function lastLoginsBehind(db: Kysely<DB>, max: number): Promise<LastLoginBehind[]> {
  if (!(await migrationStatus(db)).some((m) => m.name === LAST_LOGIN_MIGRATION && m.applied)) return [];
  const rows = await db
    .selectFrom('seats as se')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('login_events')
          .select(['seat_id', (e) => e.fn.max('at').as('latest')])
          .groupBy('seat_id')
          .as('le'),
      (j) => j.onRef('le.seat_id', '=', 'se.id'),
    )
    .select(['se.id', 'se.last_login_at', 'le.latest'])
    .where((eb) => eb.or([eb('se.last_login_at', 'is', null), eb('le.latest', '>', eb.ref('se.last_login_at'))]))
    .orderBy('se.id')
    .limit(max)
    .execute();
  return rows.map((r) => ({ seat_id: Number(r.id), last_login_at: r.last_login_at, latest_event: r.latest }));
}
