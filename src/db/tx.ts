/**
 * Write transactions. The caller owns the transaction: services never open one, commands wrap the
 * service calls that must land together. Writers queue, one at a time, on both engines, so every rule
 * that reads before it writes (at most 5 primary contacts, one live successor per subscription, leaves
 * that do not overlap, unique keys, fair-use limits) holds when commands truly run at the same time:
 * - SQLite: the transaction begins IMMEDIATE, taking the write lock up front, so two processes queue on
 *   the busy timeout instead of failing mid-way with SQLITE_BUSY;
 * - PostgreSQL: the transaction first takes one transaction-level advisory lock (released at commit or
 *   rollback, also when the client dies), so writers from every machine queue the same way; readers
 *   never wait for it. It runs at READ COMMITTED whatever the server's default (a database may be set to
 *   REPEATABLE READ or SERIALIZABLE): each statement then sees what the writers before it committed
 *   while it waited for the lock. Under a snapshot taken before the wait, four processes racing for an
 *   account's last primary slot all found 4 and all added one (8 primaries); under SERIALIZABLE the
 *   losers failed with a serialization error instead of the rule's message.
 */
import { sql, type Kysely } from '#kysely';
import { shareHandle } from './connection.js';
import { isPostgres } from './dialect.js';
import type { DB } from './schema/index.js';

/** The advisory lock every write transaction takes on PostgreSQL ("acctmgr" in ASCII). */
export const WRITE_LOCK = 0x6163_63746d67;

export async function writeTx<T>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    return db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(trx);
        return fn(trx);
      });
  }
  return db.connection().execute(async (conn) => {
    // SQLite has one connection: reads in the transaction may step it directly (src/db/rows.ts)
    shareHandle(conn, db);
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
