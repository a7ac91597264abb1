/**
 * Write transactions. The caller owns the transaction: services never open one, commands wrap the
 * service calls that must land together. On SQLite the transaction begins IMMEDIATE, taking the write
 * lock up front, so two processes queue on the busy timeout instead of failing mid-way with
 * SQLITE_BUSY when a read transaction tries to turn into a write one.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema/index.js';

export async function writeTx<T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw e;
    }
  });
}

function isSqlite(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter.constructor.name === 'SqliteAdapter';
}
