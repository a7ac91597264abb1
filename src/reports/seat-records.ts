/**
 * The usage report's subscriptions with everything the totals need of their seats, one row per
 * subscription: its id and term, and its seats as one string of fixed-width records — invited date,
 * removal date, stored last login date (10 characters each, spaces for none; dates are stored as
 * YYYY-MM-DD, a longer value is cut to its date), whether it logged in before the events read (1 or 0),
 * the UTC dates of its login events read (10 characters each, in no particular order), then ";". A
 * million seats and millions of login events cost far more to hand over row by row than to read; a few
 * hundred thousand rows of text cost little, and their dates are read from the characters.
 *
 * Events are read from the day after the first month's dormancy threshold: earlier ones change no
 * figure except as "some login before", which a seat invited after that threshold (the only case where
 * it matters) is asked once, through the (seat_id, at) index.
 */
import { sql } from '#kysely';
import type { DbHandle } from '../db/connection.js';
import { addDays } from '../lib/dates.js';
import { dayNumber, SeatUsage, subscriptionsIn } from './usage.js';
import type { ResolvedFilter, UsageRange } from './usage-range.js';

/** [subscription id, start date, end date, its seats' records or null when it has none] */
export type SubscriptionSeatsRow = readonly [number, string, string, string | null];

/** Stands for "a login before the events read": earlier than every dormancy threshold (0000-01-01). */
const LONG_AGO = 101;
const NONE = '          ';
const DATE = 10;
/** invited, removed_at, stored last login, the flag */
const HEAD = 3 * DATE + 1;
const END = ';'.charCodeAt(0);
const SPACE = ' '.charCodeAt(0);

/** The first day whose login events are read: the day after the first month's dormancy threshold. */
export function firstDayRead(range: UsageRange): string {
  return addDays(range.thresholds[0]!, 1);
}

/** The subscriptions of the report, in id order, with their seats' records. */
export function subscriptionSeats(h: DbHandle, range: UsageRange, f: ResolvedFilter) {
  const from = firstDayRead(range);
  const fromTs = `${from}T00:00:00Z`;
  const endTs = `${range.ends[range.ends.length - 1]!}T99`;
  const invited = sql<string>`coalesce(substr(st.invited_at, 1, 10), substr(st.created_at, 1, 10))`;
  // string_agg: SQLite (3.44 on) and PostgreSQL alike; || and coalesce too
  const days = sql<string>`coalesce((select string_agg(substr(le.at, 1, 10), '') from login_events le
    where le.seat_id = st.id and le.at >= ${fromTs} and le.at < ${endTs}), '')`;
  const older = sql<string>`case when ${invited} >= ${from} and exists (select 1 from login_events b
    where b.seat_id = st.id and b.at < ${fromTs}) then '1' else '0' end`;
  const record = sql<string>`${invited} || coalesce(substr(st.removed_at, 1, 10), ${NONE}) || coalesce(substr(st.last_login_at, 1, 10), ${NONE})
    || ${older} || ${days} || ';'`;
  return subscriptionsIn(h.db, range, f)
    .select([
      's.id',
      's.start_date',
      's.end_date',
      (eb) =>
        eb
          .selectFrom('seats as st')
          .select(sql<string | null>`string_agg(${record}, '')`.as('r'))
          .whereRef('st.subscription_id', '=', 's.id')
          .as('seats'),
    ])
    .orderBy('s.id');
}

/**
 * Reads a subscription's records into one SeatUsage, seat after seat: what usageRows fills in per seat
 * (its dates, and per month of the range the count and the latest day of its logins; a day before the
 * range is a login before it), its days as YYYYMMDD numbers read from the characters.
 */
export class SeatRecords {
  private readonly seat: SeatUsage<number>;
  /** the first month of the range as year × 12 + month − 1 */
  private readonly first: number;

  constructor(range: UsageRange) {
    const m = range.months[0]!;
    this.first = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
    this.seat = new SeatUsage<number>(null, null, null, range.months.length);
  }

  /** Calls `each` once per seat of `s`, with the same SeatUsage filled in for that seat. */
  forEach(s: string, each: (seat: SeatUsage<number>) => void): void {
    const { seat } = this;
    for (let k = 0; k < s.length;) {
      seat.reset(dayNumber(s, k), day(s, k + DATE), day(s, k + 2 * DATE));
      if (s.charCodeAt(k + 3 * DATE) === 49) seat.before = LONG_AGO;
      k = this.logins(s, k + HEAD);
      if (s.charCodeAt(k) !== END) throw new Error(`usage totals: a seat record does not end at ${k}: ${s.slice(0, k + 1)}`);
      k++;
      each(seat);
    }
  }

  /** The login dates from k to the record's end, into the seat; returns where the record ends. */
  private logins(s: string, k: number): number {
    const { seat } = this;
    const { counts, lastIn } = seat;
    const n = counts.length;
    let before = 0;
    for (; k < s.length && s.charCodeAt(k) !== END; k += DATE) {
      const year =
        (s.charCodeAt(k) - 48) * 1000 + (s.charCodeAt(k + 1) - 48) * 100 + (s.charCodeAt(k + 2) - 48) * 10 + s.charCodeAt(k + 3) - 48;
      const month = (s.charCodeAt(k + 5) - 48) * 10 + s.charCodeAt(k + 6) - 48;
      const key = year * 10_000 + month * 100 + (s.charCodeAt(k + 8) - 48) * 10 + s.charCodeAt(k + 9) - 48;
      const i = year * 12 + month - 1 - this.first;
      if (i < 0) {
        if (key > before) before = key;
      } else if (i < n) {
        if (counts[i]!++ === 0 || key > lastIn[i]!) lastIn[i] = key;
      }
    }
    if (before > 0 && (seat.before === null || before > seat.before)) seat.before = before;
    return k;
  }
}

/** The YYYYMMDD of the date at k, null for none (spaces). */
function day(s: string, k: number): number | null {
  return s.charCodeAt(k) === SPACE ? null : dayNumber(s, k);
}
