/**
 * Every seat with its login days, read in blocks of seat ids instead of subscription by subscription:
 * one row per block of SEAT_BLOCK ids, with two strings —
 * - its seats: invited date, removal date, stored last login date (10 characters each, spaces for
 *   none; a longer value cut to its date), then the seat's id and its subscription's id
 *   (`…id,subscription_id`), seats joined by ";";
 * - the login events of those seats: each one's time as stored (a UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`,
 *   always 20 characters, its first 10 its date) followed by the seat's id, joined by ",", every event
 *   whatever its date (the whole timestamp: cutting it to its date in SQL cost more than handing over its
 *   other 10 characters; a separator between the two cost SQLite a second concatenation per event: ≈ 0.5–0.8 s
 *   of ≈ 2.3 s in the sqlite3 shell over the benchmark's 4.8 million events).
 * Both come from a plain walk of a range of the seats table and of the (seat_id, at) index: no seek
 * per subscription, per seat or per seat's events, no sort and no grouping (a GROUP BY per seat cost
 * as much as the walk), which makes it about half the cost of the statement by subscription
 * (seat-records.ts) over all the seats. A report over some subscriptions only (a filter) is read by
 * subscription instead: a walk of every seat would be the cost of the whole report for a few of them.
 *
 * The seats and events of a block may come in any order: a seat's figures are gathered by its offset
 * in the block, then handed, seat by seat, to a SeatUsage filled in exactly as SeatRecords does.
 */
import { sql } from '#kysely';
import type { DbHandle } from '../db/connection.js';
import { dayNumber, SeatUsage } from './usage.js';
import type { UsageRange } from './usage-range.js';

/** Seat ids per block: a block's strings stay in the tens of kilobytes. */
export const SEAT_BLOCK = 1024;

/** [block number, its seats' records or null, its login events or null] */
export type SeatBlockRow = readonly [number, string | null, string | null];

const NONE = '          ';
const DATE = 10;
/** invited, removed_at, stored last login */
const HEAD = 3 * DATE;
const COMMA = ','.charCodeAt(0);
const SEMICOLON = ';'.charCodeAt(0);
const SPACE = ' '.charCodeAt(0);
/** a stored timestamp's length, `YYYY-MM-DDTHH:MM:SSZ` */
const STAMP = 20;
const T = 'T'.charCodeAt(0);
const Z = 'Z'.charCodeAt(0);
/** Stands for "a login before the first day read": earlier than every dormancy threshold (0000-01-01). */
const LONG_AGO = 101;

/** Every block of `size` seat ids, from the smallest id's to the largest's, with its seats and their login events. */
export function seatBlocks(h: DbHandle, size = SEAT_BLOCK) {
  const n = sql.lit(size);
  const invited = sql<string>`coalesce(substr(st.invited_at, 1, 10), substr(st.created_at, 1, 10))`;
  const seat = sql<string>`${invited} || coalesce(substr(st.removed_at, 1, 10), ${sql.lit(NONE)})
    || coalesce(substr(st.last_login_at, 1, 10), ${sql.lit(NONE)}) || st.id || ',' || st.subscription_id`;
  // string_agg: SQLite (3.44 on) and PostgreSQL alike
  const seats = sql<string | null>`(select string_agg(${seat}, ';') from seats st where st.id >= b.k * ${n} and st.id < (b.k + 1) * ${n})`;
  const events = sql<string | null>`(select string_agg(le.at || le.seat_id, ',') from login_events le
    where le.seat_id >= b.k * ${n} and le.seat_id < (b.k + 1) * ${n})`;
  return h.db
    .withRecursive('b(k)', (db) =>
      db.selectNoFrom(sql<number>`coalesce((select min(id) from seats), 0) / ${n}`.as('k')).unionAll((qb) =>
        qb
          .selectFrom('b')
          .select(sql<number>`b.k + 1`.as('k'))
          .where(sql<boolean>`b.k < (select max(id) from seats) / ${n}`),
      ),
    )
    .selectFrom('b')
    .select(['b.k', seats.as('seats'), events.as('events')]);
}

/**
 * Reads blocks into SeatUsage: what usageRows fills in per seat (its dates, and per month of the range
 * the count and the latest day of its logins; a day from `from` but before the range is a login
 * before it; an earlier one counts only as "some login before", for a seat invited from `from` on —
 * seat-records.ts's rule, where those events are not read), its days as YYYYMMDD numbers.
 */
export class SeatBlocks {
  private readonly seat: SeatUsage<number>;
  private readonly n: number;
  /** the first month of the range as year × 12 + month − 1 */
  private readonly first: number;
  /** `from` as YYYYMMDD */
  private readonly from: number;
  /** per seat of the block (by offset) and month: how many logins, the latest one's day */
  private readonly counts: Int32Array;
  private readonly last: Int32Array;
  /** per seat: its latest login from `from` but before the range (0: none) */
  private readonly before: Int32Array;
  /** per seat: whether it logged in before `from` */
  private readonly older: Uint8Array;

  constructor(
    range: UsageRange,
    from: string,
    private readonly size = SEAT_BLOCK,
  ) {
    const m = range.months[0]!;
    this.n = range.months.length;
    this.first = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
    this.from = dayNumber(from);
    this.counts = new Int32Array(size * this.n);
    this.last = new Int32Array(size * this.n);
    this.before = new Int32Array(size);
    this.older = new Uint8Array(size);
    this.seat = new SeatUsage<number>(null, null, null, this.n);
  }

  /** Calls `each` once per seat of the block, with its subscription's id and the same SeatUsage filled in for it. */
  forEach(row: SeatBlockRow, each: (subscriptionId: number, seat: SeatUsage<number>) => void): void {
    const [k, seats, events] = row;
    if (seats === null) return;
    const base = k * this.size;
    this.read(events ?? '', base);
    const { seat, counts, last, n } = this;
    for (let p = 0; p < seats.length;) {
      let q = p + HEAD;
      let id = 0;
      for (let c = seats.charCodeAt(q); q < seats.length && c !== COMMA; c = seats.charCodeAt(++q)) id = id * 10 + c - 48;
      let sid = 0;
      for (let c = seats.charCodeAt(++q); q < seats.length && c !== SEMICOLON; c = seats.charCodeAt(++q)) sid = sid * 10 + c - 48;
      const o = id - base;
      if (o < 0 || o >= this.size || Number.isNaN(id))
        throw new Error(`usage totals: seat ${id} is not in block ${k}: ${seats.slice(p, q)}`);
      const invited = dayNumber(seats, p);
      seat.reset(invited, day(seats, p + DATE), day(seats, p + 2 * DATE));
      if (this.before[o]! > 0) seat.before = this.before[o]!;
      else if (this.older[o] === 1 && invited >= this.from) seat.before = LONG_AGO;
      for (let i = 0, j = o * n; i < n; i++, j++) {
        const c = counts[j]!;
        seat.counts[i] = c;
        if (c > 0) seat.lastIn[i] = last[j];
      }
      each(sid, seat);
      p = q + 1;
    }
  }

  /** The block's login events into the per-seat arrays. */
  private read(s: string, base: number): void {
    const { counts, last, before, older, n, first, from, size } = this;
    counts.fill(0);
    before.fill(0);
    older.fill(0);
    for (let k = 0; k < s.length;) {
      const year =
        (s.charCodeAt(k) - 48) * 1000 + (s.charCodeAt(k + 1) - 48) * 100 + (s.charCodeAt(k + 2) - 48) * 10 + s.charCodeAt(k + 3) - 48;
      const month = (s.charCodeAt(k + 5) - 48) * 10 + s.charCodeAt(k + 6) - 48;
      const key = year * 10_000 + month * 100 + (s.charCodeAt(k + 8) - 48) * 10 + s.charCodeAt(k + 9) - 48;
      // the seat's id: the digits after the timestamp's Z, up to the comma
      let q = k + STAMP;
      let id = 0;
      for (let c = s.charCodeAt(q); c >= 48 && c <= 57; c = s.charCodeAt(++q)) id = id * 10 + c - 48;
      if (
        q === k + STAMP ||
        (q < s.length && s.charCodeAt(q) !== COMMA) ||
        s.charCodeAt(k + STAMP - 1) !== Z ||
        s.charCodeAt(k + DATE) !== T
      )
        id = NaN;
      const o = id - base;
      if (o < 0 || o >= size || Number.isNaN(key + id))
        throw new Error(
          `usage totals: not a stored login time (YYYY-MM-DDTHH:MM:SSZ) and a seat of block ${base / size}: ${s.slice(k, q)}`,
        );
      const i = year * 12 + month - 1 - first;
      if (key < from) older[o] = 1;
      else if (i < 0) {
        if (key > before[o]!) before[o] = key;
      } else if (i < n) {
        const j = o * n + i;
        if (counts[j]!++ === 0 || key > last[j]!) last[j] = key;
      }
      k = q + 1;
    }
  }
}

/** The YYYYMMDD of the date at k, null for none (spaces). */
function day(s: string, k: number): number | null {
  return s.charCodeAt(k) === SPACE ? null : dayNumber(s, k);
}
