// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import type { Kysely } from '#kysely';
import { text } from './dialect.js';

/**
 * `audit_log.on_behalf_of`: the `--actor` a command was given, recorded beside the actor instead of
 * replacing it. The actor is who really made the change: on PostgreSQL the connected database role
 * (the server's `current_user`, not a value the client sends), on SQLite the OS user. Null when no
 * `--actor` was given; rows written before this migration keep it null (their actor was `--actor` or
 * the OS user, as it was then).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('on_behalf_of', text(db)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('on_behalf_of').execute();
}
