/** `accounts fair-use ACCOUNT`: per session kind, what the account used, its limits, what remains and the next free day. */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import type { DB } from '../db/schema/index.js';
import { addDays, addMonths, boundDate } from '../lib/dates.js';
import { limitOut, UNLIMITED } from '../lib/fields.js';
import { breach, limitsOn, nextFreeDay, weekStart } from './fair-use.js';
import { SESSION_KINDS, type SessionKind } from './fields.js';
import { accountPlans, sessionDates } from './sessions.js';

export interface FairUseRow {
  account_external_id: string;
  kind: SessionKind;
  as_of: string;
  this_week: number;
  this_month: number;
  /** sessions in (as-of − 12 months, as-of] */
  last_12_months: number;
  /** the limits that apply to the kind on the as-of date (null: not one of this kind's) */
  limit_week: number | string | null;
  limit_month: number | string | null;
  limit_12_months: number | string | null;
  /** how many more could be held on the as-of date */
  remaining: number | string;
  next_free_day: string;
}

/** Beyond this many, "remaining" is only a count of what the limits allow, not worth computing one by one. */
const MANY = 1000;

export async function fairUseReport(db: Kysely<DB>, externalId: string, asOf: string): Promise<FairUseRow[]> {
  const account = await getAccount(db, externalId);
  const plans = await accountPlans(db, account.id);
  const limits = limitsOn(plans, asOf);
  const rows: FairUseRow[] = [];
  for (const kind of SESSION_KINDS) {
    const dates = await sessionDates(db, account.id, kind);
    const monday = weekStart(asOf);
    const sunday = addDays(monday, 6);
    const yearAgo = boundDate(() => addMonths(asOf, -12));
    const web = kind === 'web_session';
    const unlimited = web ? limits.per_week === null && limits.per_month === null : limits.per_year === null;
    rows.push({
      account_external_id: account.external_id,
      kind,
      as_of: asOf,
      this_week: dates.filter((d) => d >= monday && d <= sunday).length,
      this_month: dates.filter((d) => d.slice(0, 7) === asOf.slice(0, 7)).length,
      last_12_months: dates.filter((d) => d > yearAgo && d <= asOf).length,
      limit_week: web ? limitOut(limits.per_week) : null,
      limit_month: web ? limitOut(limits.per_month) : null,
      limit_12_months: web ? null : limitOut(limits.per_year),
      remaining: unlimited && !limits.none ? UNLIMITED : remaining(kind, asOf, dates, plans),
      next_free_day: nextFreeDay(kind, asOf, dates, plans) ?? 'none',
    });
  }
  return rows;
}

function remaining(kind: SessionKind, asOf: string, dates: readonly string[], plans: Parameters<typeof limitsOn>[0]): number {
  const limits = limitsOn(plans, asOf);
  const held = [...dates];
  let n = 0;
  while (n < MANY && !breach(kind, asOf, held, limits)) {
    held.push(asOf);
    n++;
  }
  return n;
}
