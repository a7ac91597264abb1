/**
 * What `report html` shows: the usage report summed per month (the charts) with the subscriptions of
 * most logins (the table, with the totals), the renewals report and the managers report. The usage
 * rows stream through once; only the monthly totals and the top rows are kept.
 */
import type { DbHandle } from '../db/connection.js';
import { foldKey } from '../lib/keys.js';
import { managersReport, type ManagerLoadRow } from './managers.js';
import { renewalsReport, type RenewalsRow } from './renewals.js';
import { usageRange, usageRows } from './usage.js';

export interface UsageTotals {
  month: string;
  subscriptions: number;
  seats: number;
  active_teachers: number;
  logins: number;
  dormant: number;
}

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

export async function htmlReportData(h: DbHandle, asOf: string, manager?: string): Promise<HtmlReportData> {
  const range = usageRange(asOf, {});
  const months: UsageTotals[] = range.months.map((month) => ({
    month,
    subscriptions: 0,
    seats: 0,
    active_teachers: 0,
    logins: 0,
    dormant: 0,
  }));
  const index = new Map(range.months.map((m, i) => [m, i]));
  const top: TopSubscription[] = [];
  let current: TopSubscription | undefined;
  let subscriptions = 0;
  const settle = (t: TopSubscription | undefined) => {
    if (!t) return;
    subscriptions++;
    if (top.length === TOP_ROWS && t.logins <= top[top.length - 1]!.logins) return;
    let i = top.length;
    while (i > 0 && top[i - 1]!.logins < t.logins) i--;
    top.splice(i, 0, t);
    if (top.length > TOP_ROWS) top.pop();
  };
  for await (const r of usageRows(h, asOf, manager === undefined ? {} : { manager })) {
    const m = months[index.get(r.month)!]!;
    m.subscriptions++;
    m.seats += r.seats;
    m.active_teachers += r.active_teachers;
    m.logins += r.logins;
    m.dormant += r.dormant;
    if (current?.subscription_external_id !== r.subscription_external_id) {
      settle(current);
      current = {
        subscription_external_id: r.subscription_external_id,
        account_external_id: r.account_external_id,
        manager_login: r.manager_login,
        logins: 0,
        seats: 0,
        active_teachers: 0,
        dormant: 0,
      };
    }
    current.logins += r.logins;
    current.seats = r.seats;
    current.active_teachers = r.active_teachers;
    current.dormant = r.dormant;
  }
  settle(current);
  const managers = await managersReport(h.db, asOf);
  return {
    as_of: asOf,
    manager: manager ?? null,
    usage: { months, top, subscriptions },
    renewals: await renewalsReport(h.db, asOf, manager === undefined ? {} : { manager }),
    managers: manager === undefined ? managers : managers.filter((m) => m.login === foldKey(manager.trim())),
  };
}
