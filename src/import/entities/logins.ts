/**
 * logins.csv: login events, key subscription_external_id + email + at; the seat must exist. An event
 * already stored is unchanged. Seats' and contacts' last_login_at move forward to the latest event
 * (never back); the seat's status is left as it is (history, not a new login).
 *
 * Written for a daily feed of many events on PostgreSQL, where every statement is a round trip: a
 * subscription's seats are read at once when the file first names it, a new event is inserted without a
 * lookup first (INSERT … ON CONFLICT DO NOTHING), a seat's stored events are read at once when the file meets
 * the first of them (a feed overlapping the last one), and the last logins are moved at the end, many rows a
 * statement. 20,000 events (4,000 subscriptions, 30,000 seats) on PostgreSQL: 29.8 → 6.1 s. A large feed is
 * bulk-loaded (`bulkWhenLarge`), its references read whole: 400,000 events of 200,000 seats, PostgreSQL 138–275 s
 * → 26–43 s (most of it now the server's updates of the last logins), SQLite 16.7–22.9 s → 10–18 s.
 */
import { sql } from '#kysely';
import { foldKey } from '../../lib/keys.js';
import { LOGIN_FIELDS } from '../../seats/fields.js';
import { FORMATS } from '../../formats/catalog.js';
import { isPromise, run, wait, type Row, type Step } from '../statements.js';
import { ChildIndex } from '../bulk/children.js';
import { bulkWhenLarge, coerceRow, requireKeys, RowsByParent, Upserter } from './common.js';
import { byExternalId } from './lookups.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

/** A logins row is ≈ 60 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 64;

export const logins: EntityDef = {
  name: 'logins',
  columns: async () => [...LOGIN_FIELDS],
  required: FORMATS.logins.required,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'login_events', ['seat_id', 'at'], { created: false, updated: false });
    // a large file: new events queued by tryInsert (PostgreSQL's COPY, SQLite's multi-row INSERTs), the
    // unique key (seat, time) checked in memory, the subscriptions and seats read whole where they are not
    // much larger than the file
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['seat_id', 'at']);
    const subscription = await byExternalId(ctx, whole, 'subscriptions', ['id', 'account_id']);
    // a subscription's seats by their contact's email key (its account's contacts only)
    const seatsWithEmail = statements.db.selectFrom('seats as s').innerJoin('contacts as c', 'c.id', 's.contact_id');
    const allSeats = whole('seats')
      ? await ChildIndex.read(
          statements.scan(
            seatsWithEmail
              .innerJoin('subscriptions as u', 'u.id', 's.subscription_id')
              .whereRef('c.account_id', '=', 'u.account_id')
              .select(['s.id', 's.subscription_id', 'c.email_key', 's.contact_id']),
            's.id',
          ),
          1,
        )
      : undefined;
    const seatsOf = new RowsByParent(
      statements.all(
        seatsWithEmail
          .select(['s.id', 's.contact_id', 'c.email_key'])
          .where('s.subscription_id', '=', 0)
          .where('c.account_id', '=', 0)
          .orderBy('s.id'),
      ),
      (r) => r.email_key as string,
    );
    /** The subscription's seat of the contact with this email key: its id and the contact's. */
    function* seatOf(sub: Row, emailKey: string): Step<{ id: number; contact_id: number } | undefined> {
      if (allSeats) {
        const found = allSeats.find(sub.id as number, emailKey);
        return found && { id: found[0]!, contact_id: found[1]! };
      }
      return (yield* wait(seatsOf.of(sub.id as number, sub.account_id))).get(emailKey) as { id: number; contact_id: number } | undefined;
    }
    // a seat's stored events by time, read once the file meets one of them (a feed overlapping the last one)
    const events = new RowsByParent(
      statements.all(statements.db.selectFrom('login_events').selectAll().where('seat_id', '=', 0).orderBy('id')),
      (r) => r.at as string,
    );
    const latestSeat = new Map<number, string>();
    const latestContact = new Map<number, string>();
    const raise = (m: Map<number, string>, id: number, at: string) => {
      const cur = m.get(id);
      if (cur === undefined || at > cur) m.set(id, at);
    };
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(LOGIN_FIELDS, text, ctx.dateFormat);
      problems.unshift(...requireKeys(text, FORMATS.logins.rowKey));
      if (problems.length > 0) return problems;
      const sub = yield* wait(subscription(v.subscription_external_id as string));
      if (!sub)
        return [
          { field: 'subscription_external_id', value: text.subscription_external_id!, rule: 'no subscription with this external_id' },
        ];
      const st = yield* seatOf(sub, foldKey(v.email as string));
      if (!st)
        return [
          {
            field: 'email',
            value: text.email!,
            rule: `has no seat on subscription ${text.subscription_external_id} (import it in seats.csv first)`,
          },
        ];
      const at = v.at as string;
      const seatId = st.id;
      const read = events.peek(seatId);
      let existing: Row | undefined;
      if (read) existing = read.get(at);
      else {
        // most events of a feed are new: inserted at once (a bulk load queues them); the first one stored
        // already reads the seat's events (a bulk load finds it by its key in memory instead)
        if (yield* wait(up.tryInsert(line, { seat_id: seatId, at }))) {
          raise(latestSeat, seatId, at);
          raise(latestContact, st.contact_id, at);
          return 'inserted';
        }
        existing = up.bulkMode ? yield* wait(up.findByKey([seatId, at])) : (yield* wait(events.of(seatId))).get(at);
      }
      const pre = up.precheck(existing, { field: 'at', value: text.at!, what: 'same subscription_external_id + email + at' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      raise(latestSeat, seatId, at);
      raise(latestContact, st.contact_id, at);
      const { outcome, id } = yield* up.write(line, existing, existing ? {} : { seat_id: seatId, at });
      // a later line with this time meets it (and is refused as its duplicate)
      if (!existing) events.add(seatId, at, { id, seat_id: seatId, at });
      return outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        ctx.notes?.push(...(await up.finish()));
        await raiseLastLogins(ctx, 'seats', latestSeat);
        await raiseLastLogins(ctx, 'contacts', latestContact);
        return [];
      },
    };
  },
};

/** Rows a statement when the last logins are moved (read, recorded for undo, updated). */
const RAISE_BATCH = 500;

/**
 * Moves each row's last_login_at forward to its latest event (never back), RAISE_BATCH rows at a time: the
 * rows read by id in one query, the before-images of those that move recorded for undo in one INSERT, then
 * each its own date — on PostgreSQL in one UPDATE, found by id, its date chosen by a CASE over the ids (a
 * statement a row would be a round trip a row; a join with a VALUES list made the planner scan the table);
 * on SQLite by a prepared UPDATE a row, in-process, which is faster there than one statement: SQLite's CASE
 * costs a comparison per id a row, its join with VALUES a scan.
 */
async function raiseLastLogins(ctx: ImportContext, table: 'seats' | 'contacts', latest: Map<number, string>): Promise<void> {
  const { statements } = ctx;
  const db = statements.any;
  const now = ctx.op.now;
  const set = statements.timing === 'now' ? statements.updater(table, ['last_login_at', 'updated_at']) : undefined;
  const ids = [...latest.keys()];
  for (let i = 0; i < ids.length; i += RAISE_BATCH) {
    const chunk = ids.slice(i, i + RAISE_BATCH);
    const stored = new Map<number, Row>();
    for (const r of (await db.selectFrom(table).selectAll().where('id', 'in', chunk).execute()) as Row[]) stored.set(Number(r.id), r);
    const moved = chunk.filter((id) => {
      const last = stored.get(id)!.last_login_at as string | null;
      return last === null || last < latest.get(id)!;
    });
    if (moved.length === 0) continue;
    await ctx.batch.beforeUpdates(
      table,
      moved.map((id) => stored.get(id)!),
    );
    if (set)
      for (const id of moved) {
        const done = set(id, [latest.get(id), now]);
        if (isPromise(done)) await done;
      }
    else {
      const when = moved.map((id) => sql`when ${id} then ${latest.get(id)}`);
      await sql`update ${sql.table(table)} set last_login_at = case id ${sql.join(when, sql` `)} end, updated_at = ${now}
        where id in (${sql.join(moved)})`.execute(db);
    }
  }
}
