/**
 * The usage report summed per month over its subscriptions (the HTML report's charts), and each
 * subscription's logins over the range (to pick the HTML report's top rows), without walking the report
 * row by row. One statement reads each subscription with all of its seats and their login days as one
 * row of text (seat-records.ts); each seat's months are filled in by the report's own SeatUsage and
 * SubscriptionUsage (one rule), added up per term: a seat's figures depend on its subscription only
 * through the first and last month of its term, so one SubscriptionUsage per term sums every
 * subscription with that term.
 */
import type { DbHandle } from '../db/connection.js';
import { streamArrays } from '../db/rows.js';
import { monthOf } from './months.js';
import { SeatBlocks, seatBlocks, type SeatBlockRow } from './seat-blocks.js';
import { firstDayRead, SeatRecords, subscriptionSeats, type SubscriptionSeatsRow } from './seat-records.js';
import { dayNumberBounds, SubscriptionUsage, subscriptionsIn, type DayBounds, type SeatUsage } from './usage.js';
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

export interface UsageTotalsOptions {
  /**
   * How the seats are read: 'blocks' (every seat, by blocks of ids: seat-blocks.ts), 'subscriptions'
   * (the report's subscriptions' seats: seat-records.ts). Default: blocks for a report of every
   * subscription, by subscription for a filtered one. The figures are the same either way.
   */
  read?: 'blocks' | 'subscriptions';
  /** seat ids per block (default SEAT_BLOCK; a test makes blocks of a few seats) */
  blockSize?: number;
}

export async function usageTotals(
  h: DbHandle,
  asOf: string,
  f: UsageFilter = {},
  top = 0,
  options: UsageTotalsOptions = {},
): Promise<UsageTotalsResult> {
  const range = usageRange(asOf, f);
  const resolved = await resolveUsageFilter(h.db, f);
  const filtered = resolved.accountId !== undefined || resolved.subscriptionId !== undefined || resolved.managerId !== undefined;
  const totals = new Totals(range);
  if ((options.read ?? (filtered ? 'subscriptions' : 'blocks')) === 'blocks') {
    const terms = subscriptionsIn(h.db, range, resolved).select(['s.id', 's.start_date', 's.end_date']).orderBy('s.id');
    for await (const [id, start, end] of streamArrays<readonly [number, string, string]>(h, terms)) totals.subscription(id, start, end);
    const blocks = new SeatBlocks(range, firstDayRead(range), options.blockSize);
    for await (const row of streamArrays<SeatBlockRow>(h, seatBlocks(h, options.blockSize)))
      blocks.forEach(row, (sid, seat) => totals.seat(sid, seat));
  } else {
    const seats = new SeatRecords(range);
    for await (const [id, start, end, records] of streamArrays<SubscriptionSeatsRow>(h, subscriptionSeats(h, range, resolved))) {
      totals.subscription(id, start, end);
      if (records !== null) seats.forEach(records, (seat) => totals.seat(id, seat));
    }
  }
  const months = totals.months();
  const { ids } = totals;
  const logins = ids.map((id) => totals.loginsOf[id]!);
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

/**
 * The sums of the report's subscriptions: one SubscriptionUsage per term (first and last month), and
 * per subscription (flat, by id: a few hundred thousand objects would stay in memory for the whole
 * pass) its term and its logins over the range.
 */
class Totals {
  /** the report's subscriptions, in id order */
  readonly ids: number[] = [];
  /** by subscription id: its logins within its term */
  readonly loginsOf: number[] = [];
  /** by subscription id: its term's index */
  private readonly termOf: number[] = [];
  private readonly terms: SubscriptionUsage<number>[] = [];
  private readonly termSubs: number[] = [];
  private readonly termIndex = new Map<string, number>();

  private readonly days: DayBounds<number>;

  constructor(private readonly range: UsageRange) {
    this.days = dayNumberBounds(range);
  }

  subscription(id: number, start: string, end: string): void {
    const key = `${monthOf(start)}|${monthOf(end)}`;
    let t = this.termIndex.get(key);
    if (t === undefined) {
      const row = { sid: 0, external_id: '', account_external_id: '', manager_login: null, start_date: start, end_date: end };
      this.termIndex.set(key, (t = this.terms.length));
      this.terms.push(new SubscriptionUsage(row, this.range, this.days));
      this.termSubs.push(0);
    }
    this.termSubs[t]!++;
    this.termOf[id] = t;
    this.loginsOf[id] = 0;
    this.ids.push(id);
  }

  /** A seat of subscription `id` (none of the report's: left out). */
  seat(id: number, seat: SeatUsage<number>): void {
    const t = this.termOf[id];
    if (t === undefined) return;
    const term = this.terms[t]!;
    term.addSeat(seat);
    let logins = 0;
    for (let m = Math.max(term.lo, 0); m <= term.hi; m++) logins += seat.counts[m]!;
    this.loginsOf[id]! += logins;
  }

  months(): UsageTotals[] {
    return this.range.months.map((month, i) => {
      const m: UsageTotals = { month, subscriptions: 0, seats: 0, active_teachers: 0, logins: 0, dormant: 0 };
      this.terms.forEach((term, t) => {
        if (i < term.lo || i > term.hi) return;
        m.subscriptions += this.termSubs[t]!;
        m.seats += term.seats[i]!;
        m.active_teachers += term.active[i]!;
        m.logins += term.logins[i]!;
        m.dormant += term.dormant[i]!;
      });
      return m;
    });
  }
}

/** The indexes of the `k` largest values, largest first; ties in index order. */
function mostLogins(logins: readonly number[], k: number): number[] {
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
