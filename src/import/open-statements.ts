/** The import's statements for a handle's database, on the caller's transaction. */
import type { Kysely } from '#kysely';
import type { DbHandle } from '../db/connection.js';
import type { DB } from '../db/schema/index.js';
import { PgStatements } from './pg-statements.js';
import { SqliteStatements } from './sqlite-statements.js';
import type { AnyStatements } from './statements.js';

export function openStatements(h: DbHandle, trx: Kysely<DB>): AnyStatements {
  return h.sqlite ? new SqliteStatements(trx, h.sqlite) : new PgStatements(trx);
}
