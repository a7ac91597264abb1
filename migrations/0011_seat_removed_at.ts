// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import { sql, type Kysely } from '#kysely';
import { text } from './dialect.js';

/**
 * `seats.removed_at` (issue 15): the calendar date a seat was removed, so the usage report counts a
 * seat in the months it existed and not after. A seat removed before this migration takes the date of
 * its latest `remove` row in the audit log (entity seat, key SUBSCRIPTION/EMAIL), else the date of its
 * `updated_at` (the last change to a removed seat is, as a rule, its removal). Null while not removed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seats').addColumn('removed_at', text(db)).execute();
  await sql`
    update seats set removed_at = coalesce(
      (select max(substr(al.at, 1, 10)) from audit_log al
        where al.entity = 'seat' and al.action = 'remove'
          and al.entity_key = (select s.external_id || '/' || c.email from subscriptions s, contacts c
                               where s.id = seats.subscription_id and c.id = seats.contact_id)),
      substr(seats.updated_at, 1, 10))
    where status = 'removed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seats').dropColumn('removed_at').execute();
}
