/**
 * `report usage`: one row per subscription and month of its term within the range — seats, active
 * teachers, logins and dormant seats — streamed, so a report over millions of login events never sits
 * in memory. One query walks the subscriptions in id order with their seats and, per seat and month,
 * the number and the latest of its login events (SQL does the counting); the months are filled in here.
 *
 * - seats: invited (invited_at, else the date the seat was created) by the month's end and not removed
 *   by then (removed_at after the month's end, or none);
 * - active_teachers: seats of the subscription with at least one login event in the month;
 * - logins: login events in the month, by their UTC date;
 * - dormant: of `seats`, those whose last login on or before the month's end (a login event, or the
 *   stored last login when it is not later) — else the invitation — plus 3 calendar months is on or
 *   before the month's end: the rule of the dormant-3m notice.
 */
import { sql, type Kysely } from '#kysely';
import type { DbHandle } from '../db/connection.js';
import { Cursor, streamArrays, streamRows } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { monthOf, monthStart } from './months.js';
import { resolveUsageFilter, usageRange, type ResolvedFilter, type UsageFilter, type UsageRange } from './usage-range.js';

export interface UsageRow {
  subscription_external_id: string;
  account_external_id: string;
  manager_login: string | null;
  month: string;
  seats: number;
  active_teachers: number;
  logins: number;
  dormant: number;
}

export const USAGE_COLUMNS = [
  'subscription_external_id',
  'account_external_id',
  'manager_login',
  'month',
  'seats',
  'active_teachers',
  'logins',
  'dormant',
] as const;

export interface SubRow {
  sid: number;
  external_id: string;
  account_external_id: string;
  manager_login: string | null;
  start_date: string;
  end_date: string;
}

/** [subscription id, seat id, invited, removed_at, stored last login date, latest login before the range] */
type SeatRow = readonly [number, number, string, string | null, string | null, string | null];

/** [subscription id, seat id, login time] */
type EventRow = readonly [number, number, string];

/** The subscriptions whose term touches the range, filtered. */
export function subscriptionsIn(db: Kysely<DB>, range: UsageRange, f: ResolvedFilter) {
  return db
    .selectFrom('subscriptions as s')
    .where('s.start_date', '<=', range.ends[range.ends.length - 1]!)
    .where('s.end_date', '>=', monthStart(range.months[0]!))
    .$if(f.accountId !== undefined, (q) => q.where('s.account_id', '=', f.accountId!))
    .$if(f.subscriptionId !== undefined, (q) => q.where('s.id', '=', f.subscriptionId!))
    .$if(f.managerId !== undefined, (q) => q.where('s.manager_id', '=', f.managerId!));
}

function subscriptionsQuery(db: Kysely<DB>, range: UsageRange, f: ResolvedFilter) {
  return subscriptionsIn(db, range, f)
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .leftJoin('managers as m', 'm.id', 's.manager_id')
    .select([
      's.id as sid',
      's.external_id',
      'a.external_id as account_external_id',
      'm.login as manager_login',
      's.start_date',
      's.end_date',
    ])
    .orderBy('s.id');
}

/** Their seats, as narrow rows (invited_at, else the day the row was created). */
function seatsQuery(db: Kysely<DB>, range: UsageRange, f: ResolvedFilter) {
  return subscriptionsIn(db, range, f)
    .innerJoin('seats as st', 'st.subscription_id', 's.id')
    .select([
      's.id as sid',
      'st.id as seat',
      sql<string>`coalesce(st.invited_at, substr(st.created_at, 1, 10))`.as('invited'),
      'st.removed_at',
      sql<string | null>`substr(st.last_login_at, 1, 10)`.as('stored'),
      // the latest login before the range (dormancy only): one index seek per seat
      (eb) =>
        eb
          .selectFrom('login_events as b')
          .select((e) => e.fn.max('b.at').as('m'))
          .whereRef('b.seat_id', '=', 'st.id')
          .where('b.at', '<', startTs(range))
          .as('before'),
    ])
    .orderBy('s.id');
}

/** The first instant of the range. */
export function startTs(range: UsageRange): string {
  return `${monthStart(range.months[0]!)}T00:00:00Z`;
}

/**
 * Every login event of their seats before the range's end, as narrow rows. Both queries go in
 * subscription order only: SQLite walks subscriptions by id and the seats and events through their
 * indexes, with no sort at all (a GROUP BY here cost a sort of every event). Only the events within the
 * range: before it, only the latest counts (dormancy), read per seat with the seats.
 */
function eventsQuery(db: Kysely<DB>, range: UsageRange, f: ResolvedFilter) {
  // the first instant after the range; timestamps are stored as YYYY-MM-DDTHH:MM:SSZ and compare as text
  const endTs = `${range.ends[range.ends.length - 1]!}T99`;
  return subscriptionsIn(db, range, f)
    .innerJoin('seats as st', 'st.subscription_id', 's.id')
    .innerJoin('login_events as le', (j) => j.onRef('le.seat_id', '=', 'st.id').on('le.at', '>=', startTs(range)).on('le.at', '<', endTs))
    .select(['s.id as sid', 'st.id as seat', 'le.at'])
    .orderBy('s.id');
}

/**
 * Days as a seat's figures compare them: the YYYY-MM-DD text (the usage report) or, where every date
 * is cut to its 10 characters, the number YYYYMMDD (the HTML report's totals: the same order, and a
 * number compares in a fraction of a string's time). One rule, either key.
 */
export type DayKey = string | number;

/** Each month's last day and dormancy threshold, as keys of the seats' kind. */
export interface DayBounds<K extends DayKey> {
  ends: readonly K[];
  thresholds: readonly K[];
}

/** YYYYMMDD of the YYYY-MM-DD at k of s. */
export function dayNumber(s: string, k = 0): number {
  return (
    (s.charCodeAt(k) - 48) * 10_000_000 +
    (s.charCodeAt(k + 1) - 48) * 1_000_000 +
    (s.charCodeAt(k + 2) - 48) * 100_000 +
    (s.charCodeAt(k + 3) - 48) * 10_000 +
    (s.charCodeAt(k + 5) - 48) * 1000 +
    (s.charCodeAt(k + 6) - 48) * 100 +
    (s.charCodeAt(k + 8) - 48) * 10 +
    s.charCodeAt(k + 9) -
    48
  );
}

/** The range's bounds as YYYYMMDD numbers. */
export function dayNumberBounds(range: UsageRange): DayBounds<number> {
  return { ends: range.ends.map((d) => dayNumber(d)), thresholds: range.thresholds.map((d) => dayNumber(d)) };
}

/** The figures of one subscription, month by month, built up seat by seat. */
export class SubscriptionUsage<K extends DayKey = string> {
  readonly seats: number[];
  readonly active: number[];
  readonly logins: number[];
  readonly dormant: number[];
  /** the range's months this subscription's term touches: [lo, hi] */
  readonly lo: number;
  readonly hi: number;

  constructor(
    readonly row: SubRow,
    private readonly range: UsageRange,
    /** the range's ends and thresholds as the seats' keys */
    private readonly days: DayBounds<K>,
  ) {
    const n = range.months.length;
    this.seats = new Array<number>(n).fill(0);
    this.active = new Array<number>(n).fill(0);
    this.logins = new Array<number>(n).fill(0);
    this.dormant = new Array<number>(n).fill(0);
    const startMonth = monthOf(row.start_date);
    const endMonth = monthOf(row.end_date);
    this.lo = range.months.findIndex((m) => m >= startMonth);
    let hi = n - 1;
    while (hi >= 0 && range.months[hi]! > endMonth) hi--;
    this.hi = hi;
  }

  addSeat(seat: SeatUsage<K>): void {
    const { ends, thresholds } = this.days;
    let lastLogin = seat.before;
    for (let i = 0; i <= this.hi; i++) {
      const l = seat.lastIn[i];
      if (l !== undefined && (lastLogin === null || l > lastLogin)) lastLogin = l;
      if (i < this.lo) continue;
      const end = ends[i]!;
      const count = seat.counts[i]!;
      if (count > 0) {
        this.active[i]!++;
        this.logins[i]! += count;
      }
      if (seat.invited! > end || (seat.removedAt !== null && seat.removedAt <= end)) continue;
      this.seats[i]!++;
      let base = lastLogin;
      if (seat.stored !== null && seat.stored <= end && (base === null || seat.stored > base)) base = seat.stored;
      if ((base ?? seat.invited!) <= thresholds[i]!) this.dormant[i]!++;
    }
  }

  *rows(): Generator<UsageRow> {
    for (let i = this.lo; i >= 0 && i <= this.hi; i++) {
      yield {
        subscription_external_id: this.row.external_id,
        account_external_id: this.row.account_external_id,
        manager_login: this.row.manager_login,
        month: this.range.months[i]!,
        seats: this.seats[i]!,
        active_teachers: this.active[i]!,
        logins: this.logins[i]!,
        dormant: this.dormant[i]!,
      };
    }
  }
}

/** One seat's login events, by month of the range: how many, and the date of the latest. */
export class SeatUsage<K extends DayKey = string> {
  readonly counts: number[];
  readonly lastIn: (K | undefined)[];
  before: K | null = null;

  constructor(
    public invited: K | null,
    public removedAt: K | null,
    public stored: K | null,
    months: number,
  ) {
    this.counts = new Array<number>(months).fill(0);
    this.lastIn = new Array<K | undefined>(months).fill(undefined);
  }

  /** The same object for another seat (a pass over a million seats need not allocate one each). */
  reset(invited: K | null, removedAt: K | null, stored: K | null): void {
    this.invited = invited;
    this.removedAt = removedAt;
    this.stored = stored;
    this.before = null;
    // a loop: fill() costs more than the dozen writes of a short array
    const { counts, lastIn } = this;
    for (let i = 0; i < counts.length; i++) {
      counts[i] = 0;
      lastIn[i] = undefined;
    }
  }
}

/** Rows in subscription id order, then month. */
export async function* usageRows(h: DbHandle, asOf: string, f: UsageFilter = {}): AsyncGenerator<UsageRow> {
  const range = usageRange(asOf, f);
  const resolved = await resolveUsageFilter(h.db, f);
  const monthIndex = new Map(range.months.map((m, i) => [m, i]));
  const subs = await Cursor.open(streamRows<SubRow>(h, subscriptionsQuery(h.db, range, resolved)));
  const seatRows = await Cursor.open(streamArrays<SeatRow>(h, seatsQuery(h.db, range, resolved)));
  const events = await Cursor.open(streamArrays<EventRow>(h, eventsQuery(h.db, range, resolved)));
  // a subscription's seats: the queries order by subscription only, so seat rows may interleave
  const seats = new Map<number, SeatUsage>();
  try {
    for (let r = subs.head; r !== undefined; r = subs.head) {
      const sub = new SubscriptionUsage(r, range, range);
      for (let st = seatRows.head; st !== undefined && st[0] <= r.sid; st = seatRows.head) {
        if (st[0] === r.sid) {
          const seat = new SeatUsage(st[2], st[3], st[4], range.months.length);
          seat.before = st[5] === null ? null : st[5].slice(0, 10);
          seats.set(st[1], seat);
        }
        const p = seatRows.next();
        if (p) await p;
      }
      for (let e = events.head; e !== undefined && e[0] <= r.sid; e = events.head) {
        const seat = e[0] === r.sid ? seats.get(e[1]) : undefined;
        if (seat) addEvent(seat, e[2], monthIndex);
        const p = events.next();
        if (p) await p;
      }
      for (const seat of seats.values()) sub.addSeat(seat);
      seats.clear();
      yield* sub.rows();
      const p = subs.next();
      if (p) await p;
    }
  } finally {
    await subs.close();
    await seatRows.close();
    await events.close();
  }
}

export function addEvent(seat: SeatUsage, at: string, monthIndex: Map<string, number>): void {
  const i = monthIndex.get(at.slice(0, 7));
  if (i === undefined) return;
  const day = at.slice(0, 10);
  seat.counts[i]!++;
  const prev = seat.lastIn[i];
  if (prev === undefined || day > prev) seat.lastIn[i] = day;
}
