/**
 * The usage report summed per month over its subscriptions (the HTML report's charts), and each
 * subscription's logins over the range (to pick the HTML report's top rows), without walking the report
 * subscription by subscription. Seats and login events are read in seat order — both tables front to
 * back, where the report's subscription order reads seats at random — and each seat's months are filled
 * in by the report's own SeatUsage and SubscriptionUsage (one rule), added up per term: a seat's figures
 * depend on its subscription only through the first and last month of its term, so one SubscriptionUsage
 * per term sums every subscription with that term.
 *
 * Events are read from the day after the first month's dormancy threshold: earlier ones change no
 * figure except as "some login before", which a seat invited after that threshold (the only case
 * where it matters) is asked once, through the (seat_id, at) index.
 */
import { sql } from 'kysely';
import type { DbHandle } from '../db/connection.js';
import { streamArrays } from '../db/rows.js';
import { addDays } from '../lib/dates.js';
import { monthOf } from './months.js';
import { SeatUsage, SubscriptionUsage, subscriptionsIn } from './usage.js';
import { resolveUsageFilter, usageRange, type ResolvedFilter, type UsageFilter, type UsageRange } from './usage-range.js';

export interface UsageTotals {
  month: string;
  subscriptions: number;
  seats: number;
  active_teachers: number;
  logins: number;
  dormant: number;
}

export interface UsageSubscription {
  id: number;
  external_id: string;
  /** logins over the range (within the subscription's term) */
  logins: number;
}

export interface UsageTotalsResult {
  months: UsageTotals[];
  /** how many subscriptions the report has */
  subscriptions: number;
  /** the `top` with the most logins, most first (ties in subscription order) */
  top: UsageSubscription[];
}

/** Stands for "a login before the events read": earlier than every dormancy threshold. */
const LONG_AGO = '0000-01-01';

/**
 * [subscription id, invited, removed_at, stored last login date, 1 when it logged in before the events
 * read, the UTC dates of its events read (YYYY-MM-DD each, run together) or null]
 */
type SeatRow = readonly [number, string, string | null, string | null, number, string | null];

export async function usageTotals(h: DbHandle, asOf: string, f: UsageFilter = {}, top = 0): Promise<UsageTotalsResult> {
  const range = usageRange(asOf, f);
  const resolved = await resolveUsageFilter(h.db, f);
  // the subscriptions by their index in id order, in flat arrays (a few hundred thousand objects would
  // stay in memory for the whole pass): id, and the one SubscriptionUsage of its term
  const ids: number[] = [];
  const termOf: number[] = [];
  const terms: SubscriptionUsage[] = [];
  const termSubs: number[] = [];
  const termIndex = new Map<string, number>();
  const subs = subscriptionsIn(h.db, range, resolved).select(['s.id', 's.start_date', 's.end_date']).orderBy('s.id');
  for await (const [id, start, end] of streamArrays<readonly [number, string, string]>(h, subs)) {
    const key = `${monthOf(start)}|${monthOf(end)}`;
    let t = termIndex.get(key);
    if (t === undefined) {
      const row = { sid: 0, external_id: '', account_external_id: '', manager_login: null, start_date: start, end_date: end };
      termIndex.set(key, (t = terms.length));
      terms.push(new SubscriptionUsage(row, range));
      termSubs.push(0);
    }
    termSubs[t]!++;
    ids.push(id);
    termOf.push(t);
  }
  // a subscription's index by its id (ids are dense): -1 for one not in the report
  const indexOf = new Int32Array(ids.length > 0 ? ids[ids.length - 1]! + 1 : 0).fill(-1);
  for (let i = 0; i < ids.length; i++) indexOf[ids[i]!] = i;
  const logins = new Float64Array(ids.length);
  const filtered = resolved.accountId !== undefined || resolved.subscriptionId !== undefined || resolved.managerId !== undefined;
  await walkSeats(h, range, filtered ? resolved : undefined, (subscriptionId, seat) => {
    const i = subscriptionId < indexOf.length ? indexOf[subscriptionId]! : -1;
    if (i < 0) return;
    const term = terms[termOf[i]!]!;
    term.addSeat(seat);
    for (let m = Math.max(term.lo, 0); m <= term.hi; m++) logins[i]! += seat.counts[m]!;
  });
  const months = range.months.map((month, i) => {
    const m: UsageTotals = { month, subscriptions: 0, seats: 0, active_teachers: 0, logins: 0, dormant: 0 };
    terms.forEach((term, t) => {
      if (i < term.lo || i > term.hi) return;
      m.subscriptions += termSubs[t]!;
      m.seats += term.seats[i]!;
      m.active_teachers += term.active[i]!;
      m.logins += term.logins[i]!;
      m.dormant += term.dormant[i]!;
    });
    return m;
  });
  const most = mostLogins(logins, top);
  const names = new Map<number, string>();
  if (most.length > 0) {
    const rows = await h.db
      .selectFrom('subscriptions')
      .select(['id', 'external_id'])
      .where(
        'id',
        'in',
        most.map((i) => ids[i]!),
      )
      .execute();
    for (const r of rows) names.set(r.id, r.external_id);
  }
  return {
    months,
    subscriptions: ids.length,
    top: most.map((i) => ({ id: ids[i]!, external_id: names.get(ids[i]!)!, logins: logins[i]! })),
  };
}

/** The indexes of the `k` largest values, largest first; ties in index order. */
function mostLogins(logins: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < logins.length && k > 0; i++) {
    const v = logins[i]!;
    if (out.length === k && v <= logins[out[k - 1]!]!) continue;
    let at = out.length;
    while (at > 0 && logins[out[at - 1]!]! < v) at--;
    out.splice(at, 0, i);
    if (out.length > k) out.pop();
  }
  return out;
}

/**
 * Every seat of the report's subscriptions with the days of its login events, in one statement: each
 * seat's events come as one string of their UTC dates (YYYY-MM-DD, one after the other, in no particular
 * order), read through the (seat_id, at) index. Millions of event rows cost far more to hand over one
 * by one than to read; a seat's few dates in one string cost little.
 */
async function walkSeats(
  h: DbHandle,
  range: UsageRange,
  /** the filter, when there is one: only the seats of its subscriptions are read (else every seat) */
  resolved: ResolvedFilter | undefined,
  /** called once per seat, with one SeatUsage reused for every seat */
  each: (subscriptionId: number, seat: SeatUsage) => void,
): Promise<void> {
  const from = addDays(range.thresholds[0]!, 1);
  const fromTs = `${from}T00:00:00Z`;
  const endTs = `${range.ends[range.ends.length - 1]!}T99`;
  const invited = sql<string>`coalesce(st.invited_at, substr(st.created_at, 1, 10))`;
  const seats = h.db
    .selectFrom('seats as st')
    .select((eb) => [
      'st.subscription_id',
      invited.as('invited'),
      'st.removed_at',
      sql<string | null>`substr(st.last_login_at, 1, 10)`.as('stored'),
      sql<number>`case when ${invited} >= ${from} and exists (select 1 from login_events b where b.seat_id = st.id and b.at < ${fromTs}) then 1 else 0 end`.as(
        'older',
      ),
      // string_agg: SQLite (3.44 on) and PostgreSQL alike
      eb
        .selectFrom('login_events as le')
        .select(sql<string | null>`string_agg(substr(le.at, 1, 10), '')`.as('days'))
        .whereRef('le.seat_id', '=', 'st.id')
        .where('le.at', '>=', fromTs)
        .where('le.at', '<', endTs)
        .as('days'),
    ])
    // unary plus: filter by the subscriptions, never drive the scan from them (seat order is the point)
    .$if(resolved !== undefined, (q) =>
      q.where(sql<number>`+st.subscription_id`, 'in', subscriptionsIn(h.db, range, resolved!).select('s.id')),
    );
  const days = new LoginDays(range);
  const seat = new SeatUsage(null, null, null, range.months.length);
  for await (const r of streamArrays<SeatRow>(h, seats)) {
    seat.reset(r[1], r[2], r[3]);
    if (Number(r[4]) === 1) seat.before = LONG_AGO;
    if (r[5] !== null) days.add(seat, r[5]);
    each(r[0], seat);
  }
}

/**
 * A seat's login days, given as one string of dates, into its SeatUsage: what addEvent does per event,
 * with the month read from the characters (no string per event); a day before the range is a login
 * before it (`before`, the latest such day).
 */
class LoginDays {
  /** the first month of the range as year × 12 + month − 1 */
  private readonly first: number;
  /** per month of the range, where in the string its latest day is */
  private readonly at: Int32Array;

  constructor(range: UsageRange) {
    const m = range.months[0]!;
    this.first = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
    this.at = new Int32Array(range.months.length);
  }

  add(seat: SeatUsage, s: string): void {
    const { counts } = seat;
    const n = counts.length;
    let before = -1;
    let beforeKey = -1;
    for (let k = 0; k + 10 <= s.length; k += 10) {
      const year =
        (s.charCodeAt(k) - 48) * 1000 + (s.charCodeAt(k + 1) - 48) * 100 + (s.charCodeAt(k + 2) - 48) * 10 + s.charCodeAt(k + 3) - 48;
      const ym = year * 12 + (s.charCodeAt(k + 5) - 48) * 10 + s.charCodeAt(k + 6) - 49;
      const day = (s.charCodeAt(k + 8) - 48) * 10 + s.charCodeAt(k + 9) - 48;
      const i = ym - this.first;
      if (i < 0) {
        if (ym * 32 + day > beforeKey) [before, beforeKey] = [k, ym * 32 + day];
      } else if (i < n) {
        if (counts[i]!++ === 0 || day > dayAt(s, this.at[i]!)) this.at[i] = k;
      }
    }
    for (let i = 0; i < n; i++) if (counts[i]! > 0) seat.lastIn[i] = s.slice(this.at[i]!, this.at[i]! + 10);
    if (before >= 0) {
      const day = s.slice(before, before + 10);
      if (seat.before === null || day > seat.before) seat.before = day;
    }
  }
}

/** The day of the month of the date at k. */
function dayAt(s: string, k: number): number {
  return (s.charCodeAt(k + 8) - 48) * 10 + s.charCodeAt(k + 9) - 48;
}
