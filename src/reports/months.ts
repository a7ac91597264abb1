/**
 * Calendar months as the reports count them: `YYYY-MM`, from the first to the last day, in UTC (login
 * events count in the month of their UTC date).
 */
import { invalid } from '../errors.js';
import { addDays, addMonths, toDayNumber } from '../lib/dates.js';

/** A month `YYYY-MM`: its shape (the option parser checks it first: exit 2), then the calendar and the range (exit 1). */
export function checkMonth(field: string, text: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) throw invalid(field, text, 'must be a month in the form YYYY-MM');
  if (Number(m[2]) < 1 || Number(m[2]) > 12) throw invalid(field, text, 'is not a real calendar month');
  if (text < '1900-01') throw invalid(field, text, 'must be between 1900-01 and 9999-12');
  return text;
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function monthStart(month: string): string {
  return `${month}-01`;
}

export function monthEnd(month: string): string {
  return addDays(addMonths(monthStart(month), 1), -1);
}

export function addMonthsTo(month: string, n: number): string {
  return monthOf(addMonths(monthStart(month), n));
}

/** Every month from `from` through `to` (none when to < from). */
export function monthsFromTo(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonthsTo(m, 1)) out.push(m);
  return out;
}

/**
 * The latest base date whose dormancy is due on or before `end` (`addMonths(base, 3) <= end`, the rule of
 * the dormant-3m notice): a seat is dormant at `end` exactly when its base is on or before it. addMonths
 * clamps to the month's end, so the answer is found by stepping around `end` − 3 months.
 */
export function dormantThreshold(end: string, months = 3): string {
  let t = addMonths(end, -months);
  while (addMonths(addDays(t, 1), months) <= end) t = addDays(t, 1);
  while (addMonths(t, months) > end) t = addDays(t, -1);
  return t;
}

export function isDormantOn(base: string, end: string, months = 3): boolean {
  return toDayNumber(addMonths(base, months)) <= toDayNumber(end);
}
