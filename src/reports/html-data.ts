/**
 * What `report html` shows: the usage report summed per month (the charts) with the subscriptions of
 * most logins (the table, with the totals), the renewals report and the managers report. The monthly
 * totals and each subscription's logins come from one pass in seat order (usage-totals.ts); the top
 * rows are those subscriptions' own usage rows.
 */
import type { DbHandle } from '../db/connection.js';
import { foldKey } from '../lib/keys.js';
import { managersReport, type ManagerLoadRow } from './managers.js';
import { renewalsReport, type RenewalsRow } from './renewals.js';
import { usageTotals, type UsageTotals } from './usage-totals.js';
import { usageRows } from './usage.js';

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

export async function htmlReportData(h: DbHandle, asOf: string, manager?: string): Promise<HtmlReportData> {
  const filter = manager === undefined ? {} : { manager };
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
  const managers = await managersReport(h.db, asOf);
  return {
    as_of: asOf,
    manager: manager ?? null,
    usage: { months: totals.months, top, subscriptions: totals.subscriptions },
    renewals: await renewalsReport(h.db, asOf, filter),
    managers: manager === undefined ? managers : managers.filter((m) => m.login === foldKey(manager.trim())),
  };
}
