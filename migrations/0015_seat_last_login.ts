// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';

/**
 * A seat's stored `last_login_at` is never earlier than its latest login event: `seats login` and the
 * logins import move it forward with every event they store, and the dormancy rules (remind's dormant
 * seats, `remind explain`, the renewals report's at-risk test) read it alone instead of the seat's
 * events. A seat whose events were stored without moving it (by hand, or by a tool other than acctmgr)
 * takes its latest event's time here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update seats set last_login_at = (select max(le.at) from login_events le where le.seat_id = seats.id)
    where exists (select 1 from login_events le
                  where le.seat_id = seats.id and (seats.last_login_at is null or le.at > seats.last_login_at))`.execute(db);
}

/** Nothing to undo: the times moved forward are the seats' true last logins. */
export async function down(): Promise<void> {}
