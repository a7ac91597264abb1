// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { isPostgres } from './dialect.js';

/**
 * PostgreSQL only: the audit log's actor set by the server on every row inserted, whoever inserts it and
 * however (acctmgr, psql, COPY): a BEFORE INSERT trigger puts the role that connected (`session_user`) into
 * `actor`, whatever the row said. acctmgr's own INSERT sends `current_user` already (src/db/actor.ts),
 * the same role unless the session switched roles; the trigger makes it hold for a team member writing to
 * the table directly, so nobody can record a row under another role's name — not even the team's group
 * role after `SET ROLE acctmgr_team`, which changes `current_user` but not who connected. The grants in docs/team.md keep the team to SELECT and INSERT on the table
 * (no UPDATE or DELETE of old rows). `db copy` (run by the tables' owner) disables the trigger, by this
 * name, inside its own transaction while it copies a SQLite database's rows with their actors
 * (src/db/copy.ts). SQLite has no roles: its actor is the OS user, and nothing changes there.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create function audit_log_actor() returns trigger language plpgsql as $$
    begin
      new.actor := session_user;
      return new;
    end
  $$`.execute(db);
  await sql`create trigger audit_log_actor before insert on audit_log for each row execute function audit_log_actor()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop trigger audit_log_actor on audit_log`.execute(db);
  await sql`drop function audit_log_actor()`.execute(db);
}
