/**
 * What `report html` shows: the usage report summed per month (the charts) with the subscriptions of
 * most logins (the table, with the totals), the renewals report and the managers report. The monthly
 * totals and each subscription's logins come from one pass over the seats (usage-totals.ts); the top
 * rows are those subscriptions' own usage rows. The usage part and the managers report run beside
 * each other (src/db/beside.ts: worker threads on SQLite, the pool's connections on PostgreSQL), when
 * there is enough data to pay for it, and the renewals report runs here meanwhile.
 */
import { beside, inTurn } from '../db/beside.js';
import type { DbHandle } from '../db/connection.js';
import { foldKey } from '../lib/keys.js';
import { managersReport, type ManagerLoadRow } from './managers.js';
import { renewalsReport, type RenewalsRow } from './renewals.js';
import { usageTotals, type UsageTotals } from './usage-totals.js';
import { usageRows } from './usage.js';
import { resolveUsageFilter } from './usage-range.js';

export type { UsageTotals };

export interface TopSubscription {
  subscription_external_id: string;
  account_external_id: string;
  manager_login: string | null;
  /** logins over the whole range */
  logins: number;
  /** the figures of the last month of the range the subscription has */
  seats: number;
  active_teachers: number;
  dormant: number;
}

export interface HtmlReportData {
  as_of: string;
  manager: string | null;
  usage: { months: UsageTotals[]; top: TopSubscription[]; subscriptions: number };
  renewals: RenewalsRow[];
  managers: ManagerLoadRow[];
}

/** How many subscriptions the usage table lists (the totals cover all of them). */
export const TOP_ROWS = 25;

/**
 * From how many subscriptions on the parts run side by side: below, starting the threads (≈ 0.3 s, the
 * modules loaded again) costs more than it saves, and they run one after the other.
 */
export const SIDE_BY_SIDE_FROM = 10_000;

export interface HtmlReportOptions {
  /** default SIDE_BY_SIDE_FROM */
  sideBySideFrom?: number;
}

export async function htmlReportData(
  h: DbHandle,
  asOf: string,
  manager?: string,
  options: HtmlReportOptions = {},
): Promise<HtmlReportData> {
  const filter = manager === undefined ? {} : { manager };
  // an unknown manager is refused before anything runs
  await resolveUsageFilter(h.db, filter);
  const count = await h.db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  const run = Number(count.n) >= (options.sideBySideFrom ?? SIDE_BY_SIDE_FROM) ? beside : inTurn;
  const managersSide = run(h, MANAGERS, asOf);
  const usageSide = run(h, USAGE, asOf, filter);
  try {
    // this thread would only wait for the two parts: the third part runs here (over the benchmark's
    // data, usage ≈ 2.9 s, managers ≈ 3.5 s, renewals ≈ 1.1 s of CPU; renewals after usage in one
    // worker made that worker the critical path, ≈ 0.5–0.8 s longer)
    const renewals = await renewalsReport(h.db, asOf, filter);
    const usage = await usageSide.result();
    const managers = await managersSide.result();
    return {
      as_of: asOf,
      manager: manager ?? null,
      usage,
      renewals,
      managers: manager === undefined ? managers : managers.filter((m) => m.login === foldKey(manager.trim())),
    };
  } finally {
    await usageSide.stop();
    await managersSide.stop();
  }
}

/** The managers report, run beside the rest (its function, for a worker thread to call). */
export function managersPart(h: DbHandle, asOf: string): Promise<ManagerLoadRow[]> {
  return managersReport(h.db, asOf);
}

/**
 * The managers report's worker gets a larger young generation than the default of beside.ts: countDue
 * keeps its maps and flat arrays for the whole pass while hundreds of thousands of short-lived rows go
 * by: over the benchmark's data its collector took 1.5 s with 4 MB, 0.7 s with 16 MB (profiled on a busy
 * machine), for ≈ 7 MB more peak RSS.
 */
const MANAGERS = { module: new URL(import.meta.url), name: 'managersPart', fn: managersPart, youngGenerationMb: 16 };
const USAGE = { module: new URL(import.meta.url), name: 'usagePart', fn: usagePart };

/** The usage totals with the top rows (run beside the managers report). */
export async function usagePart(h: DbHandle, asOf: string, filter: { manager?: string }): Promise<HtmlReportData['usage']> {
  const totals = await usageTotals(h, asOf, filter, TOP_ROWS);
  const top: TopSubscription[] = [];
  for (const s of totals.top) {
    let t: TopSubscription | undefined;
    for await (const r of usageRows(h, asOf, { subscription: s.external_id })) {
      t ??= {
        subscription_external_id: r.subscription_external_id,
        account_external_id: r.account_external_id,
        manager_login: r.manager_login,
        logins: 0,
        seats: 0,
        active_teachers: 0,
        dormant: 0,
      };
      t.logins += r.logins;
      t.seats = r.seats;
      t.active_teachers = r.active_teachers;
      t.dormant = r.dormant;
    }
    if (t) top.push(t);
  }
  return { months: totals.months, top, subscriptions: totals.subscriptions };
}
