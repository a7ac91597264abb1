/**
 * Moving a team from SQLite to PostgreSQL (`acctmgr db copy --to URL`): everything in the current SQLite
 * database — records, the notices ledger, the audit log, leaves, import history, custom fields — into an
 * empty, migrated PostgreSQL database, in one write transaction there, audited on the target. Because the
 * ledger and the ids come along unchanged, the first `remind --send` on PostgreSQL finds nothing due
 * that SQLite already sent.
 */
import { audit } from '../audit/audit.js';
import type { DbHandle } from '../db/connection.js';
import { copyTables, vacuumCopied, type CopiedTable } from '../db/copy.js';
import { writeTx } from '../db/tx.js';
import { RefusedError } from '../errors.js';
import type { Op } from '../op.js';

export interface CopySummary {
  from: string;
  to: string;
  tables: CopiedTable[];
  rows: number;
}

export interface CopyResult {
  summary: CopySummary;
  /** what the VACUUM after the commit could not do (the copy is complete without it) */
  warnings: string[];
}

export async function copyDatabase(source: DbHandle, target: DbHandle, op: Op): Promise<CopyResult> {
  if (!source.sqlite)
    throw new RefusedError(
      `db copy copies a SQLite database into PostgreSQL; the current database ${source.path} is PostgreSQL already`,
      'to copy one PostgreSQL database into another, use pg_dump and pg_restore',
    );
  if (target.engine !== 'postgres' || !target.pool) throw new RefusedError('db copy --to takes a PostgreSQL URL');
  const pool = target.pool;
  const sqlite = source.sqlite;
  // one connection of its own: the transaction and the COPY statements that load the tables share it
  const { PgSession } = await import('../db/pg-copy.js');
  const session = await PgSession.open(pool);
  let summary: CopySummary;
  try {
    summary = await writeTx(session.db, async (trx) => {
      const tables = await copyTables(sqlite, trx, session);
      const copied = { from: source.path, to: target.path, tables, rows: tables.reduce((n, t) => n + t.rows, 0) };
      await audit(trx, op, { action: 'copy', entity: 'database', key: target.path, after: { from: source.path, rows: copied.rows } });
      return copied;
    });
  } finally {
    await session.close();
  }
  return { summary, warnings: await vacuumCopied(pool, summary.tables) };
}
