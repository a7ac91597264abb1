/**
 * Which database engine this test run uses: the vitest project sets ACCTMGR_TEST_ENGINE (vitest.config.ts
 * runs the suite once per engine). Tests about one engine only say so in their name ("(SQLite only)") and
 * run only in that engine's project.
 */
import { describe, it } from 'vitest';

export type Engine = 'sqlite' | 'postgres';

export const ENGINE: Engine = process.env.ACCTMGR_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = ENGINE === 'postgres';

/** A describe block about SQLite only (WAL, file modes, online backup, the sqlite3 shell …). */
export const describeSqlite = describe.skipIf(onPostgres);
/** A test about SQLite only. */
export const itSqlite = it.skipIf(onPostgres);
/** A test about PostgreSQL only. */
export const itPostgres = it.skipIf(!onPostgres);

/**
 * The actor an audit row records: on PostgreSQL the connected role (the test server's user), on SQLite
 * the given one (the op's user in service tests, the OS user on the command line).
 */
export function auditActor(sqliteActor: string): string {
  if (!onPostgres) return sqliteActor;
  return decodeURIComponent(new URL(process.env.ACCTMGR_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test').username) || 'root';
}
