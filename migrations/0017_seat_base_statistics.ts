// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { isPostgres } from './dialect.js';

/**
 * PostgreSQL only: statistics on the date a seat's dormancy counts from, the expression remind's
 * dormant-seat scan filters on (src/remind/scan.ts seatRows: the same text, or the server does not
 * match them). Without them the planner takes the range test on the expression to keep 0.1 % of the
 * seats (a default guess) where a fifth pass, and looks each one's subscription up by index instead of
 * hashing the running subscriptions: over 1.5 million seats the scan took 1.1 s instead of 0.46 s.
 * SQLite has no such statistics (its plan for the scan is fixed by the query: scan.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create statistics seats_base on (coalesce(substr(last_login_at, 1, 10), invited_at)) from seats`.execute(db);
  await sql`analyze seats`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop statistics seats_base`.execute(db);
}
