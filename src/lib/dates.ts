/**
 * Calendar dates are strings `YYYY-MM-DD` and all arithmetic is done on day numbers in UTC, so the
 * machine's time zone can never shift a due date. Timestamps are `YYYY-MM-DDTHH:MM:SSZ` (UTC).
 *
 * Every date lies in 1900-01-01..9999-12-31: four-digit years keep string order equal to date order
 * (SQL compares them as text), and JavaScript reads the years 0-99 as 1900-1999.
 */
import { InvalidDataError, invalid, quote } from '../errors.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const MIN_DATE = '1900-01-01';
const MAX_DATE = '9999-12-31';
const MIN_YEAR = 1900;
const MAX_YEAR = 9999;
const DATE_RANGE_RULE = `must be between ${MIN_DATE} and ${MAX_DATE}`;

/**
 * Date arithmetic left the range. Callers that know which value it started from say so with
 * `deriveDate`; uncaught it is still an ordinary invalid-data error, never a crash.
 */
export class DateRangeError extends InvalidDataError {
  constructor(
    from: string,
    readonly after: boolean,
  ) {
    super([{ field: 'date', value: from, rule: rangeRule(after) }]);
  }
}

function rangeRule(after: boolean): string {
  return after ? `the result would be after ${MAX_DATE}` : `the result would be before ${MIN_DATE}`;
}

/** True when the text has the shape YYYY-MM-DD (the calendar is checked by isValidDate). */
export function hasDateShape(text: string): boolean {
  return DATE_RE.test(text);
}

export function isValidDate(text: string): boolean {
  return dateRule(text) === undefined;
}

/** Why the text is not an accepted date (shape, calendar, range), or undefined when it is one. */
/** The words for an option value that does not have a date's shape (undefined when it has). */
export function dateShapeProblem(raw: string): string | undefined {
  return hasDateShape(raw.trim()) ? undefined : `${quote(raw)} is not a date in the form YYYY-MM-DD`;
}

/** The words for an option value that does not have a timestamp's shape (a date, then maybe a time). */
export function timestampShapeProblem(raw: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}([T ].+)?$/i.test(raw.trim())
    ? undefined
    : `${quote(raw)} is not an ISO 8601 timestamp like 2026-03-01T08:30:00Z`;
}

export function dateRule(text: string): string | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return 'must be a date in the form YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo))) return 'is not a real calendar date';
  return y < MIN_YEAR ? DATE_RANGE_RULE : undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parts(date: string): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function fmt(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days since 1970-01-01. */
export function toDayNumber(date: string): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

const MIN_DAY = toDayNumber(MIN_DATE);
const MAX_DAY = toDayNumber(MAX_DATE);

/** The date of a day number; a DateRangeError (naming `from`) outside the range. */
export function fromDayNumber(n: number, from = ''): string {
  if (n < MIN_DAY || n > MAX_DAY) throw new DateRangeError(from, n > MAX_DAY);
  const dt = new Date(n * MS_PER_DAY);
  return fmt(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days, date);
}

/** Calendar months; a day past the target month's end clamps to it (08-31 + 6 months → 02-28). */
export function addMonths(date: string, months: number): string {
  return addMonthsThenDays(date, months, 0);
}

/**
 * date + months (clamped as addMonths does), then + days; only the result must lie in the range, so
 * 9999-01-01 + 12 months − 1 day is 9999-12-31.
 */
export function addMonthsThenDays(date: string, months: number, days: number): string {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  // one year of slack either side for the days; Date.UTC would also read the years 0-99 as 1900-1999
  if (ny < MIN_YEAR - 1 || ny > MAX_YEAR + 1) throw new DateRangeError(date, ny > MAX_YEAR);
  const day = Date.UTC(ny, nm - 1, Math.min(d, daysInMonth(ny, nm))) / MS_PER_DAY;
  return fromDayNumber(day + days, date);
}

/**
 * Date arithmetic on a value the user gave: when the result leaves the range, the error names that
 * value's field (`start_date: "9999-06-01": the end date would be after 9999-12-31`).
 */
export function deriveDate(field: string, value: unknown, what: string, compute: () => string): string {
  try {
    return compute();
  } catch (e) {
    if (!(e instanceof DateRangeError)) throw e;
    throw invalid(field, value, `${what} would be ${e.after ? `after ${MAX_DATE}` : `before ${MIN_DATE}`}`);
  }
}

/** Date arithmetic for a search bound: a result past either end of the range is that end. */
export function boundDate(compute: () => string): string {
  try {
    return compute();
  } catch (e) {
    if (!(e instanceof DateRangeError)) throw e;
    return e.after ? MAX_DATE : MIN_DATE;
  }
}

/** b − a in days. */
export function diffDays(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** The local calendar date, or ACCTMGR_TODAY when set (validated by the caller's option parsing). */
export function localToday(env: NodeJS.ProcessEnv, now: Date = new Date()): string {
  const forced = env.ACCTMGR_TODAY;
  if (forced) return forced;
  return localDate(now);
}

/** The local calendar date an instant falls on (the machine's time zone). */
export function localDate(at: Date): string {
  return fmt(at.getFullYear(), at.getMonth() + 1, at.getDate());
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Any ISO 8601 timestamp → `YYYY-MM-DDTHH:MM:SSZ` in UTC. A date alone means midnight UTC; a time
 * without an offset is taken as UTC. Returns undefined when the text is not such a timestamp.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const r = parseTimestamp(text);
  return r.ok ? r.value : undefined;
}

const TIMESTAMP_RULE = 'must be a date and time in ISO 8601 form, e.g. 2026-03-01T08:30:00Z';

/** normalizeTimestamp, or the rule the text breaks (the date range has its own). */
export function parseTimestamp(text: string): { ok: true; value: string } | { ok: false; rule: string } {
  const ms = utcMillis(text);
  if (typeof ms === 'string') return { ok: false, rule: ms };
  if (ms < MIN_DAY * MS_PER_DAY || ms >= (MAX_DAY + 1) * MS_PER_DAY) return { ok: false, rule: DATE_RANGE_RULE };
  return { ok: true, value: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/**
 * The instant a timestamp names, in ms since 1970 UTC (whatever its year), or the rule it breaks: its
 * form, then its calendar date, its time of day, its offset, each named as such.
 */
function utcMillis(text: string): number | string {
  const m = TS_RE.exec(text.trim());
  if (!m) return TIMESTAMP_RULE;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo))) return 'is not a real calendar date';
  const [hh, mi, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hh > 23 || mi > 59 || ss > 59) return 'is not a real time of day (00:00:00 to 23:59:59)';
  let offsetMin = 0;
  const off = m[8];
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || 0);
    if (oh > 23 || om > 59) return `has an offset out of range ("${off}"; at most ±23:59)`;
    offsetMin = sign * (oh * 60 + om);
  }
  // setUTCFullYear, because Date.UTC reads the years 0-99 as 1900-1999
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  dt.setUTCHours(hh, mi, ss, 0);
  return dt.getTime() - offsetMin * 60_000;
}

/** The UTC calendar date of a normalized timestamp. */
export function timestampDate(ts: string): string {
  return ts.slice(0, 10);
}

export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
