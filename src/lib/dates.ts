/**
 * Calendar dates are strings `YYYY-MM-DD` and all arithmetic is done on day numbers in UTC, so the
 * machine's time zone can never shift a due date. Timestamps are `YYYY-MM-DDTHH:MM:SSZ` (UTC).
 */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True when the text has the shape YYYY-MM-DD (the calendar is checked by isValidDate). */
export function hasDateShape(text: string): boolean {
  return DATE_RE.test(text);
}

export function isValidDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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

export function fromDayNumber(n: number): string {
  const dt = new Date(n * MS_PER_DAY);
  return fmt(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Calendar months; a day past the target month's end clamps to it (08-31 + 6 months → 02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return fmt(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** b − a in days. */
export function diffDays(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** The local calendar date, or ACCTMGR_TODAY when set (validated by the caller's option parsing). */
export function localToday(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const forced = env.ACCTMGR_TODAY;
  if (forced) return forced;
  return fmt(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Any ISO 8601 timestamp → `YYYY-MM-DDTHH:MM:SSZ` in UTC. A date alone means midnight UTC; a time
 * without an offset is taken as UTC. Returns undefined when the text is not such a timestamp.
 */
export function normalizeTimestamp(text: string): string | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  if (!isValidDate(date)) return undefined;
  const [hh, mi, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hh > 23 || mi > 59 || ss > 59) return undefined;
  let offsetMin = 0;
  const off = m[8];
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || 0);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hh, mi, ss) - offsetMin * 60_000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The UTC calendar date of a normalized timestamp. */
export function timestampDate(ts: string): string {
  return ts.slice(0, 10);
}

export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
