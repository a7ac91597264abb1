/**
 * Who an audit row names as its actor. On PostgreSQL it is the connected database role, evaluated by the
 * server in the INSERT itself (`current_user`): a client cannot claim to be someone else, since what it
 * sends is not used (`--actor` goes to on_behalf_of, beside it). SQLite has no roles: there it is the OS
 * user running the command.
 */
import { sql, type Expression, type Kysely } from '#kysely';
import { isPostgres } from './dialect.js';
import type { DB } from './schema/index.js';

export function recordedActor(db: Kysely<DB>, osUser: string): string | Expression<string> {
  return isPostgres(db) ? sql<string>`current_user` : osUser;
}
