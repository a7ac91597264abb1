/**
 * Reading and writing a test database behind acctmgr's back, on either engine: snapshots that prove a
 * refused command changed nothing, and writes around the foreign keys that `db check` must then find.
 */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { sql } from '#kysely';
import { openTestDb } from './db.js';
import { onPostgres } from './engine.js';
import { createPgDatabase } from './pg.js';

/** A `db backup` file made usable: the file itself on SQLite; on PostgreSQL a new database pg_restore fills from it. */
export async function restoredBackup(file: string): Promise<string> {
  if (!onPostgres) return file;
  const url = await createPgDatabase('empty');
  execFileSync('pg_restore', ['--no-owner', '-d', url, file]);
  return url;
}

/** Every row of each table, in a stable order (rows sorted by their JSON: PostgreSQL has no rowid). */
export async function snapshotTables(location: string, tables: readonly string[]): Promise<string> {
  const h = await openTestDb(location, { migrate: false, allowNewer: true });
  try {
    const out: string[][] = [];
    for (const t of tables) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(h.db);
      out.push(rows.map((r) => JSON.stringify(r)).sort());
    }
    return JSON.stringify(out);
  } finally {
    await h.close();
  }
}

/** Runs statements on a closed database as they are (no migration; newer schemas too). */
export async function rawExec(location: string, ...statements: string[]): Promise<void> {
  if (!isUrl(location)) {
    const raw = new Database(location);
    try {
      for (const s of statements) raw.exec(s);
    } finally {
      raw.close();
    }
    return;
  }
  const h = await openTestDb(location, { migrate: false, allowNewer: true });
  try {
    await h.db.connection().execute(async (c) => {
      for (const s of statements) await sql.raw(s).execute(c);
    });
  } finally {
    await h.close();
  }
}

/**
 * A write that breaks a foreign key of `table`: on SQLite with foreign_keys off; on PostgreSQL with
 * the table's triggers (which enforce them) off for the statement.
 */
export async function writeAroundForeignKeys(location: string, table: string, statement: string): Promise<void> {
  if (!isUrl(location)) return rawExec(location, 'pragma foreign_keys = off', statement);
  return rawExec(location, `alter table ${table} disable trigger all`, statement, `alter table ${table} enable trigger all`);
}

function isUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}
