/**
 * Fair use, as a pure rule shared by the service and the importer. Counted per account over sessions
 * that are not cancelled, by the UTC date of `at`: web sessions at most `per_week` in an ISO week
 * (Monday to Sunday) and `per_month` in a calendar month; training sessions at most `per_year` in any
 * window [d, d + 12 calendar months) (month ends clamped as addMonths does). Limits are those of the
 * plans of the subscriptions running on the session's date, the most generous of each (null: no limit);
 * no running subscription: no sessions.
 */
import { addDays, addMonths, boundDate, diffDays, toDayNumber } from '../lib/dates.js';
import type { SessionKind } from './fields.js';

export interface Limits {
  per_week: number | null;
  per_month: number | null;
  per_year: number | null;
  /** true: no subscription runs on the date (every limit 0) */
  none?: boolean;
}

/** A subscription as fair use sees it: when it runs and its plan's limits. */
export interface RunningPlan extends Limits {
  start_date: string;
  end_date: string;
}

const NONE: Limits = { per_week: 0, per_month: 0, per_year: 0, none: true };

/** null (no limit) is the most generous; otherwise the larger. */
function generous(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

/** The limits on a date: the most generous of the subscriptions running then; none running: 0 each. */
export function limitsOn(plans: readonly RunningPlan[], date: string): Limits {
  const running = plans.filter((p) => p.start_date <= date && date <= p.end_date);
  if (running.length === 0) return NONE;
  return running.reduce<Limits>(
    (acc, p) => ({
      per_week: generous(acc.per_week, p.per_week),
      per_month: generous(acc.per_month, p.per_month),
      per_year: generous(acc.per_year, p.per_year),
    }),
    { per_week: 0, per_month: 0, per_year: 0 },
  );
}

/** The Monday of the ISO week of a date (1970-01-01 was a Thursday). */
export function weekStart(date: string): string {
  const dow = (((toDayNumber(date) + 3) % 7) + 7) % 7; // 0 = Monday
  return addDays(date, -dow);
}

export interface Breach {
  /** how many sessions the period already holds */
  count: number;
  limit: number;
  /** "in the week of 2026-11-30", "in 2026-12", "in the 12 months from 2027-01-31" */
  period: string;
  /** no subscription runs on the date */
  none?: boolean;
}

const yearEnd = (from: string) => boundDate(() => addMonths(from, 12));

/**
 * The first limit a new session of `kind` on `date` would break, given the dates of the account's other
 * counting sessions of that kind (the one being moved left out), or undefined.
 */
export function breach(kind: SessionKind, date: string, others: readonly string[], limits: Limits): Breach | undefined {
  if (limits.none) return { count: 0, limit: 0, period: `on ${date}`, none: true };
  if (kind === 'web_session') {
    const monday = weekStart(date);
    const sunday = addDays(monday, 6);
    const week = others.filter((d) => d >= monday && d <= sunday).length;
    if (limits.per_week !== null && week >= limits.per_week)
      return { count: week, limit: limits.per_week, period: `in the week of ${monday}` };
    const month = date.slice(0, 7);
    const inMonth = others.filter((d) => d.slice(0, 7) === month).length;
    if (limits.per_month !== null && inMonth >= limits.per_month) return { count: inMonth, limit: limits.per_month, period: `in ${month}` };
    return undefined;
  }
  if (limits.per_year === null) return undefined;
  // a window holding the most sessions with this one can start at this one or at an earlier session
  const starts = [...new Set([...others.filter((s) => s <= date && date < yearEnd(s)), date])].sort();
  for (const from of starts) {
    const end = yearEnd(from);
    const count = others.filter((d) => d >= from && d < end).length;
    if (count >= limits.per_year) return { count, limit: limits.per_year, period: `in the 12 months from ${from}` };
  }
  return undefined;
}

/**
 * The first date on or after `date` on which a session passes every limit, or undefined (none before
 * the last running subscription ends: afterwards no sessions are allowed at all).
 */
export function nextFreeDay(kind: SessionKind, date: string, others: readonly string[], plans: readonly RunningPlan[]): string | undefined {
  const last = plans.reduce((m, p) => (p.end_date > m ? p.end_date : m), '');
  if (last < date) return undefined;
  const days = Math.min(diffDays(date, last), 366 * 5);
  for (let i = 0; i <= days; i++) {
    const d = addDays(date, i);
    if (!breach(kind, d, others, limitsOn(plans, d))) return d;
  }
  return undefined;
}

const NAMES: Record<SessionKind, [string, string]> = {
  web_session: ['web session', 'web sessions'],
  training_session: ['training session', 'training sessions'],
};

/** `fair use: SCH-001 already has 2 web sessions in the week of 2026-11-30 (limit 2); next free day: 2026-12-07` */
export function breachMessage(account: string, kind: SessionKind, b: Breach, next: string | undefined): string {
  const [one, many] = NAMES[kind];
  if (b.none) return `fair use: ${account} has no subscription running ${b.period} (no ${many}); next free day: ${next ?? 'none'}`;
  return `fair use: ${account} already has ${b.count} ${b.count === 1 ? one : many} ${b.period} (limit ${b.limit}); next free day: ${next ?? 'none'}`;
}
