/**
 * `report renewals`: what renews when. One row per calendar month (the as-of month and the N − 1 after
 * it) and currency: the subscriptions ending in the month (stored status active: trials and cancelled
 * ones do not renew), their value, how many already have a successor (a renewal that is not
 * cancelled), and how many are at risk — no successor, and either more than half of their seats
 * dormant on the as-of date (the usage report's rule) or no done activity of their account in the
 * last 90 days (as-of date included).
 */
import { sql, type Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { fieldsOf } from '../output/fields.js';
import { invalid } from '../errors.js';
import { addDays } from '../lib/dates.js';
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
/** Every field, in CSV and JSON order: an empty report's CSV is this header line. */
export const RENEWALS_FIELDS = fieldsOf<RenewalsRow>()(['month', 'currency', 'ending', 'value', 'value_cents', 'renewed', 'at_risk']);

export const DEFAULT_RENEWAL_MONTHS = 12;
/** No done activity in this many days (the as-of date and the 89 before it) puts a renewal at risk. */
export const QUIET_DAYS = 90;

export async function renewalsReport(db: Kysely<DB>, asOf: string, f: RenewalsFilter = {}): Promise<RenewalsRow[]> {
  const n = f.months ?? DEFAULT_RENEWAL_MONTHS;
  if (!Number.isSafeInteger(n) || n < 1 || n > 120) throw invalid('months', n, 'must be a whole number from 1 to 120');
  const managerId = f.manager === undefined ? undefined : (await getManager(db, f.manager)).id;
  const months = monthsFromTo(monthOf(asOf), addMonthsTo(monthOf(asOf), n - 1));
  const scope: EndingScope = { from: monthStart(months[0]!), to: monthEnd(months[months.length - 1]!), managerId };
  const quietFrom = addDays(asOf, -(QUIET_DAYS - 1));
  // successors and busy accounts as derived tables joined once (a correlated EXISTS per row can make
  // the planner scan subscriptions once per row when renewed_from_id is mostly null)
  const renewed = sql<number>`case when r.id is null then 0 else 1 end`;
  const mostlyDormant = sql<boolean>`coalesce(d.dormant, 0) * 2 > coalesce(d.seats, 0)`;
  const risky = sql<number>`case when r.id is null and (${mostlyDormant} or b.account_id is null) then 1 else 0 end`;
  const rows = await endingSubscriptions(db, scope)
    .innerJoin('plans as pl', 'pl.id', 's.plan_id')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('subscriptions')
          .select('renewed_from_id as id')
          .distinct()
          .where('renewed_from_id', 'is not', null)
          .where('status', '!=', 'cancelled')
          .as('r'),
      (j) => j.onRef('r.id', '=', 's.id'),
    )
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('activities')
          .select('account_id')
          .distinct()
          .where('status', '=', 'done')
          .where('at', '>=', `${quietFrom}T00:00:00Z`)
          .where('at', '<', `${addDays(asOf, 1)}T00:00:00Z`)
          .as('b'),
      (j) => j.onRef('b.account_id', '=', 's.account_id'),
    )
    .leftJoin(dormantSeats(db, asOf, scope).as('d'), (j) => j.onRef('d.id', '=', 's.id'))
    .select((eb) => [
      sql<string>`substr(s.end_date, 1, 7)`.as('month'),
      'pl.currency',
      eb.fn.countAll<number>().as('ending'),
      eb.fn.sum<number>('s.price_cents').as('cents'),
      eb.fn.sum<number>(renewed).as('renewed'),
      eb.fn.sum<number>(risky).as('at_risk'),
    ])
    .groupBy([sql`substr(s.end_date, 1, 7)`, 'pl.currency'])
    .execute();
  const found = new Map(rows.map((r) => [`${r.month}|${r.currency}`, r]));
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const out: RenewalsRow[] = [];
  for (const month of months) {
    for (const currency of currencies) {
      const r = found.get(`${month}|${currency}`);
      const cents = Number(r?.cents ?? 0);
      out.push({
        month,
        currency,
        ending: Number(r?.ending ?? 0),
        value: formatCents(cents),
        value_cents: cents,
        renewed: Number(r?.renewed ?? 0),
        at_risk: Number(r?.at_risk ?? 0),
      });
    }
  }
  return out;
}

interface EndingScope {
  from: string;
  to: string;
  managerId: number | undefined;
}

/** The subscriptions the report counts: stored status active, ending within the months. */
function endingSubscriptions(db: Kysely<DB>, scope: EndingScope) {
  return db
    .selectFrom('subscriptions as s')
    .where('s.status', '=', 'active')
    .where('s.end_date', '>=', scope.from)
    .where('s.end_date', '<=', scope.to)
    .$if(scope.managerId !== undefined, (q) => q.where('s.manager_id', '=', scope.managerId!));
}

/**
 * Per ending subscription: its seats on asOf (invited by then and not removed by then) and how many are
 * dormant — the last login on or before asOf, else the invitation date, on or before the dormancy
 * threshold. The stored last login is never earlier than the seat's latest login event (migration
 * 0015), so when it is not later than asOf it is that last login, and a seat without one never logged
 * in: no event is read. Only a stored login after asOf (a report as of an earlier date) sends the seat
 * to its events: one index seek for a login after the threshold, and, for a seat invited after it, one
 * for any login up to it.
 */
function dormantSeats(db: Kysely<DB>, asOf: string, scope: EndingScope) {
  const threshold = dormantThreshold(asOf);
  const after = `${addDays(threshold, 1)}T00:00:00Z`;
  const until = `${addDays(asOf, 1)}T00:00:00Z`;
  const invited = sql<string>`coalesce(st.invited_at, substr(st.created_at, 1, 10))`;
  const stored = sql<string | null>`substr(st.last_login_at, 1, 10)`;
  const dormant = sql<number>`case
    when ${stored} <= ${asOf} then case when ${stored} > ${threshold} then 0 else 1 end
    when ${stored} is null then case when ${invited} > ${threshold} then 0 else 1 end
    when exists (select 1 from login_events le where le.seat_id = st.id and le.at >= ${after} and le.at < ${until}) then 0
    when ${invited} > ${threshold}
      and not exists (select 1 from login_events le where le.seat_id = st.id and le.at < ${after}) then 0
    else 1 end`;
  return endingSubscriptions(db, scope)
    .innerJoin('seats as st', 'st.subscription_id', 's.id')
    .where(invited, '<=', asOf)
    .where((eb) => eb.or([eb('st.removed_at', 'is', null), eb('st.removed_at', '>', asOf)]))
    .select(['s.id', (eb) => eb.fn.countAll<number>().as('seats'), (eb) => eb.fn.sum<number>(dormant).as('dormant')])
    .groupBy('s.id');
}
