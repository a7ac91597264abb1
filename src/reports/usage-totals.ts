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
import { SeatRecords, subscriptionSeats, type SubscriptionSeatsRow } from './seat-records.js';
import { SubscriptionUsage } from './usage.js';
import { resolveUsageFilter, usageRange, type UsageFilter } from './usage-range.js';

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

export async function usageTotals(h: DbHandle, asOf: string, f: UsageFilter = {}, top = 0): Promise<UsageTotalsResult> {
  const range = usageRange(asOf, f);
  const resolved = await resolveUsageFilter(h.db, f);
  // the subscriptions by their index in id order, in flat arrays (a few hundred thousand objects would
  // stay in memory for the whole pass): id, logins, and the one SubscriptionUsage of its term
  const ids: number[] = [];
  const loginsOf: number[] = [];
  const terms: SubscriptionUsage[] = [];
  const termSubs: number[] = [];
  const termIndex = new Map<string, number>();
  const seats = new SeatRecords(range);
  for await (const [id, start, end, records] of streamArrays<SubscriptionSeatsRow>(h, subscriptionSeats(h, range, resolved))) {
    const key = `${monthOf(start)}|${monthOf(end)}`;
    let t = termIndex.get(key);
    if (t === undefined) {
      const row = { sid: 0, external_id: '', account_external_id: '', manager_login: null, start_date: start, end_date: end };
      termIndex.set(key, (t = terms.length));
      terms.push(new SubscriptionUsage(row, range));
      termSubs.push(0);
    }
    termSubs[t]!++;
    const term = terms[t]!;
    let logins = 0;
    if (records !== null) {
      seats.forEach(records, (seat) => {
        term.addSeat(seat);
        for (let m = Math.max(term.lo, 0); m <= term.hi; m++) logins += seat.counts[m]!;
      });
    }
    ids.push(id);
    loginsOf.push(logins);
  }
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
  const most = mostLogins(loginsOf, top);
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
    top: most.map((i) => ({ id: ids[i]!, external_id: names.get(ids[i]!)!, logins: loginsOf[i]! })),
  };
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
