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
import { Cursor, streamArrays } from '../db/rows.js';
import { addDays } from '../lib/dates.js';
import { monthOf } from './months.js';
import { addEvent, SeatUsage, startTs, SubscriptionUsage, subscriptionsIn } from './usage.js';
import { resolveUsageFilter, usageRange, type UsageFilter, type UsageRange } from './usage-range.js';

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

/** [seat id, subscription id, invited, removed_at, stored last login date, 1 when it logged in before the events read] */
type SeatRow = readonly [number, number, string, string | null, string | null, number];
/** [seat id, login time] */
type EventRow = readonly [number, string];

export async function usageTotals(h: DbHandle, asOf: string, f: UsageFilter = {}, top = 0): Promise<UsageTotalsResult> {
  const range = usageRange(asOf, f);
  const resolved = await resolveUsageFilter(h.db, f);
  // the subscriptions as parallel arrays, by their index in id order: a few hundred thousand objects
  // would stay in memory for the whole pass
  const ids: number[] = [];
  const externalIds: string[] = [];
  const termAt: SubscriptionUsage[] = [];
  const indexOf = new Map<number, number>();
  const terms = new Map<string, SubscriptionUsage>();
  const termSubs = new Map<SubscriptionUsage, number>();
  const subs = subscriptionsIn(h.db, range, resolved).select(['s.id', 's.external_id', 's.start_date', 's.end_date']).orderBy('s.id');
  for await (const [id, externalId, start, end] of streamArrays<readonly [number, string, string, string]>(h, subs)) {
    const key = `${monthOf(start)}|${monthOf(end)}`;
    let term = terms.get(key);
    if (!term) {
      const row = { sid: 0, external_id: '', account_external_id: '', manager_login: null, start_date: start, end_date: end };
      terms.set(key, (term = new SubscriptionUsage(row, range)));
    }
    termSubs.set(term, (termSubs.get(term) ?? 0) + 1);
    indexOf.set(id, ids.length);
    ids.push(id);
    externalIds.push(externalId);
    termAt.push(term);
  }
  const logins = new Float64Array(ids.length);
  await walkSeats(h, range, resolved, (subscriptionId, seat) => {
    const i = indexOf.get(subscriptionId);
    if (i === undefined) return;
    const term = termAt[i]!;
    term.addSeat(seat);
    for (let m = Math.max(term.lo, 0); m <= term.hi; m++) logins[i]! += seat.counts[m]!;
  });
  const months = range.months.map((month, i) => {
    const m: UsageTotals = { month, subscriptions: 0, seats: 0, active_teachers: 0, logins: 0, dormant: 0 };
    for (const term of terms.values()) {
      if (i < term.lo || i > term.hi) continue;
      m.subscriptions += termSubs.get(term)!;
      m.seats += term.seats[i]!;
      m.active_teachers += term.active[i]!;
      m.logins += term.logins[i]!;
      m.dormant += term.dormant[i]!;
    }
    return m;
  });
  const ranked = ids.map((_, i) => i).sort((a, b) => logins[b]! - logins[a]! || a - b);
  return {
    months,
    subscriptions: ids.length,
    top: ranked.slice(0, top).map((i) => ({ id: ids[i]!, external_id: externalIds[i]!, logins: logins[i]! })),
  };
}

/** Every seat of the report's subscriptions with its login events, in seat id order. */
async function walkSeats(
  h: DbHandle,
  range: UsageRange,
  resolved: Awaited<ReturnType<typeof resolveUsageFilter>>,
  /** called once per seat, with one SeatUsage reused for every seat */
  each: (subscriptionId: number, seat: SeatUsage) => void,
): Promise<void> {
  const from = addDays(range.thresholds[0]!, 1);
  const fromTs = `${from}T00:00:00Z`;
  const rangeTs = startTs(range);
  const endTs = `${range.ends[range.ends.length - 1]!}T99`;
  const invited = sql<string>`coalesce(st.invited_at, substr(st.created_at, 1, 10))`;
  const seats = h.db
    .selectFrom('seats as st')
    .select([
      'st.id',
      'st.subscription_id',
      invited.as('invited'),
      'st.removed_at',
      sql<string | null>`substr(st.last_login_at, 1, 10)`.as('stored'),
      sql<number>`case when ${invited} >= ${from} and exists (select 1 from login_events b where b.seat_id = st.id and b.at < ${fromTs}) then 1 else 0 end`.as(
        'older',
      ),
    ])
    // unary plus: filter by the subscriptions, never drive the scan from them (seat order is the point)
    .where(sql<number>`+st.subscription_id`, 'in', subscriptionsIn(h.db, range, resolved).select('s.id'))
    .orderBy('st.id');
  const events = h.db
    .selectFrom('login_events as le')
    .select(['le.seat_id', 'le.at'])
    .where('le.at', '>=', fromTs)
    .where('le.at', '<', endTs)
    .orderBy('le.seat_id');
  const monthIndex = new Map(range.months.map((m, i) => [m, i]));
  const seatRows = await Cursor.open(streamArrays<SeatRow>(h, seats));
  const eventRows = await Cursor.open(streamArrays<EventRow>(h, events));
  try {
    const seat = new SeatUsage(null, null, null, range.months.length);
    for (let r = seatRows.head; r !== undefined; r = seatRows.head) {
      seat.reset(r[2], r[3], r[4]);
      if (Number(r[5]) === 1) seat.before = LONG_AGO;
      for (let e = eventRows.head; e !== undefined && e[0] <= r[0]; e = eventRows.head) {
        if (e[0] === r[0]) {
          if (e[1] < rangeTs) {
            const day = e[1].slice(0, 10);
            if (seat.before === null || day > seat.before) seat.before = day;
          } else addEvent(seat, e[1], monthIndex);
        }
        const p = eventRows.next();
        if (p) await p;
      }
      each(r[1], seat);
      const p = seatRows.next();
      if (p) await p;
    }
  } finally {
    await seatRows.close();
    await eventRows.close();
  }
}
