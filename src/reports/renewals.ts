/**
 * `report renewals`: what renews when. One row per calendar month (the as-of month and the N − 1 after
 * it) and currency: the subscriptions ending in the month (stored status active: trials and cancelled
 * ones do not renew), their value, how many already have a successor (a renewal that is not
 * cancelled), and how many are at risk — no successor, and either more than half of their seats
 * dormant on the as-of date (the usage report's rule) or no done activity of their account in the
 * last 90 days (as-of date included).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { addDays, timestampDate } from '../lib/dates.js';
import { formatCents } from '../lib/fields.js';
import { getManager } from '../managers/lookup.js';
import { addMonthsTo, dormantThreshold, monthEnd, monthOf, monthsFromTo, monthStart } from './months.js';

export interface RenewalsFilter {
  /** how many months, the as-of month first (default 12) */
  months?: number;
  manager?: string;
}

export interface RenewalsRow {
  month: string;
  currency: string;
  ending: number;
  value: string;
  value_cents: number;
  renewed: number;
  at_risk: number;
}

export const RENEWALS_COLUMNS = ['month', 'currency', 'ending', 'value', 'renewed', 'at_risk'] as const;

export const DEFAULT_RENEWAL_MONTHS = 12;
/** No done activity in this many days (the as-of date and the 89 before it) puts a renewal at risk. */
export const QUIET_DAYS = 90;

interface Ending {
  id: number;
  account_id: number;
  end_date: string;
  currency: string;
  price_cents: number;
  renewed: boolean;
}

export async function renewalsReport(db: Kysely<DB>, asOf: string, f: RenewalsFilter = {}): Promise<RenewalsRow[]> {
  const n = f.months ?? DEFAULT_RENEWAL_MONTHS;
  if (!Number.isSafeInteger(n) || n < 1 || n > 120) throw invalid('months', n, 'must be a whole number from 1 to 120');
  const managerId = f.manager === undefined ? undefined : (await getManager(db, f.manager)).id;
  const months = monthsFromTo(monthOf(asOf), addMonthsTo(monthOf(asOf), n - 1));
  const rows = await db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as pl', 'pl.id', 's.plan_id')
    .select(['s.id', 's.account_id', 's.end_date', 'pl.currency', 's.price_cents'])
    .where('s.status', '=', 'active')
    .where('s.end_date', '>=', monthStart(months[0]!))
    .where('s.end_date', '<=', monthEnd(months[months.length - 1]!))
    .$if(managerId !== undefined, (q) => q.where('s.manager_id', '=', managerId!))
    .execute();
  // ids with a successor that is not cancelled, in one query (a correlated EXISTS per row can make the
  // planner scan subscriptions once per row when renewed_from_id is mostly null)
  const successors = await db
    .selectFrom('subscriptions')
    .select('renewed_from_id')
    .where('renewed_from_id', 'is not', null)
    .where('status', '!=', 'cancelled')
    .execute();
  const renewed = new Set(successors.map((r) => r.renewed_from_id));
  const endings: Ending[] = rows.map((r) => ({ ...r, renewed: renewed.has(r.id) }));
  const risky = await atRisk(db, asOf, endings);
  const currencies = [...new Set(endings.map((e) => e.currency))].sort();
  const out: RenewalsRow[] = [];
  for (const month of months) {
    for (const currency of currencies) {
      const these = endings.filter((e) => e.currency === currency && monthOf(e.end_date) === month);
      const cents = these.reduce((sum, e) => sum + e.price_cents, 0);
      out.push({
        month,
        currency,
        ending: these.length,
        value: formatCents(cents),
        value_cents: cents,
        renewed: these.filter((e) => e.renewed).length,
        at_risk: these.filter((e) => risky.has(e.id)).length,
      });
    }
  }
  return out;
}

/** Ids of the endings at risk on asOf. */
async function atRisk(db: Kysely<DB>, asOf: string, endings: readonly Ending[]): Promise<Set<number>> {
  const open = endings.filter((e) => !e.renewed);
  const out = new Set<number>();
  if (open.length === 0) return out;
  const quietFrom = addDays(asOf, -(QUIET_DAYS - 1));
  const busy = new Set<number>();
  const dormant = new Map<number, { seats: number; dormant: number }>();
  const threshold = dormantThreshold(asOf);
  for (const part of chunks(open)) {
    const chunk = part.map((e) => e.id);
    const accountIds = [...new Set(part.map((e) => e.account_id))];
    const acts = await db
      .selectFrom('activities')
      .select(['account_id', 'at'])
      .where('status', '=', 'done')
      .where('account_id', 'in', accountIds)
      .where('at', '>=', `${quietFrom}T00:00:00Z`)
      .where('at', '<', `${addDays(asOf, 1)}T00:00:00Z`)
      .execute();
    for (const a of acts) if (timestampDate(a.at) >= quietFrom) busy.add(a.account_id);
    const seats = await db
      .selectFrom('seats as st')
      .select(['st.subscription_id', 'st.invited_at', 'st.created_at', 'st.removed_at', 'st.last_login_at'])
      .select((eb) =>
        eb
          .selectFrom('login_events as le')
          .select((e) => e.fn.max('le.at').as('m'))
          .whereRef('le.seat_id', '=', 'st.id')
          .where('le.at', '<', `${addDays(asOf, 1)}T00:00:00Z`)
          .as('last_event'),
      )
      .where('st.subscription_id', 'in', chunk)
      .execute();
    for (const s of seats) {
      const invited = s.invited_at ?? timestampDate(s.created_at);
      if (invited > asOf || (s.removed_at !== null && s.removed_at <= asOf)) continue;
      const stored = s.last_login_at === null ? null : timestampDate(s.last_login_at);
      const event = s.last_event === null ? null : timestampDate(s.last_event);
      let base = event;
      if (stored !== null && stored <= asOf && (base === null || stored > base)) base = stored;
      const d = dormant.get(s.subscription_id) ?? { seats: 0, dormant: 0 };
      d.seats++;
      if ((base ?? invited) <= threshold) d.dormant++;
      dormant.set(s.subscription_id, d);
    }
  }
  for (const e of open) {
    const d = dormant.get(e.id);
    const mostlyDormant = d !== undefined && d.dormant * 2 > d.seats;
    if (mostlyDormant || !busy.has(e.account_id)) out.add(e.id);
  }
  return out;
}

function* chunks<T>(items: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
