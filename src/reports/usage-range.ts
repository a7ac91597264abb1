/** What `report usage` covers: the months of its range and the records its filters name. */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { getManager } from '../managers/lookup.js';
import { getSubscription } from '../subscriptions/lookup.js';
import { addMonthsTo, checkMonth, dormantThreshold, monthEnd, monthOf, monthsFromTo } from './months.js';

export interface UsageFilter {
  account?: string;
  subscription?: string;
  manager?: string;
  /** YYYY-MM; default 11 months before `to` */
  from?: string;
  /** YYYY-MM; default the as-of month */
  to?: string;
}

/** The longest range one report covers. */
export const MAX_USAGE_MONTHS = 120;

export interface UsageRange {
  months: string[];
  /** last day of each month */
  ends: string[];
  /** the dormancy threshold of each month (months.ts) */
  thresholds: string[];
}

export function usageRange(asOf: string, f: Pick<UsageFilter, 'from' | 'to'>): UsageRange {
  const to = f.to === undefined ? monthOf(asOf) : checkMonth('to', f.to);
  const from = f.from === undefined ? addMonthsTo(to, -11) : checkMonth('from', f.from);
  if (from > to) throw invalid('from', from, `is after --to (${to})`);
  const months = monthsFromTo(from, to);
  if (months.length > MAX_USAGE_MONTHS) throw invalid('from', from, `the range is longer than ${MAX_USAGE_MONTHS} months`);
  const ends = months.map(monthEnd);
  return { months, ends, thresholds: ends.map((e) => dormantThreshold(e)) };
}

export interface ResolvedFilter {
  accountId?: number;
  subscriptionId?: number;
  managerId?: number;
}

/** The filters' rows, looked up first, so an unknown key is a not-found error (exit 1) before anything is read. */
export async function resolveUsageFilter(db: Kysely<DB>, f: UsageFilter): Promise<ResolvedFilter> {
  return {
    accountId: f.account === undefined ? undefined : (await getAccount(db, f.account)).id,
    subscriptionId: f.subscription === undefined ? undefined : (await getSubscription(db, f.subscription)).id,
    managerId: f.manager === undefined ? undefined : (await getManager(db, f.manager)).id,
  };
}
