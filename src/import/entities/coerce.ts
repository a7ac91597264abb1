/**
 * Cells → values for the entity importers: the shared field specs' coercion (with fast paths for the
 * canonical date forms), key presence, stored forms, and the shared `check*` functions' problems.
 */
import { InvalidDataError } from '../../errors.js';
import { asciiEmail, coerce, limitToStored, toCents, type FieldSpec, type FieldValue } from '../../lib/fields.js';
import { keyProblem, lineProblem } from '../../lib/keys.js';
import { dateHint, toIsoDate, type DateFormat } from '../cells.js';
import type { RowProblem } from '../errors.js';
import type { RowIn } from './types.js';

/** Coerces the given cells; values only for non-empty cells (empty = leave / default). */
export function coerceRow(
  specs: readonly FieldSpec[],
  text: RowIn['text'],
  dateFormat: DateFormat,
): { values: Record<string, FieldValue>; problems: RowProblem[] } {
  const values: Record<string, FieldValue> = {};
  const problems: RowProblem[] = [];
  for (const spec of specs) {
    const t = text[spec.name];
    if (t === undefined) continue;
    const v = coerceCell(spec, t, dateFormat, problems);
    if (v !== undefined) values[spec.name] = v;
  }
  return { values, problems };
}

/** One non-empty cell's value; undefined when it is not valid, with the problem added to `problems`. */
export function coerceCell(spec: FieldSpec, text: string, dateFormat: DateFormat, problems: RowProblem[]): FieldValue | undefined {
  let t = text;
  const type = spec.type;
  if (type === 'date' || type === 'timestamp') {
    t = toIsoDate(t, dateFormat);
    // the common, already-canonical forms skip the general parsers (a million rows, two dates each)
    if (type === 'timestamp' ? isCanonicalTimestamp(t) : isCanonicalDate(t)) return t;
  }
  const fast = fastCoerce(spec, t);
  if (fast !== undefined) return fast;
  const r = coerce(spec, t);
  if (r.ok) return r.value;
  const hint = type === 'date' || type === 'timestamp' ? dateHint(text, dateFormat) : '';
  problems.push({ field: spec.name, value: text, rule: r.rule + hint });
  return undefined;
}

/**
 * What `coerce` returns for the commonest cells, without its general path (a million rows, eight cells
 * each); undefined: ask `coerce`. Each case gives exactly `coerce`'s value for the cells it accepts.
 */
function fastCoerce(spec: FieldSpec, t: string): FieldValue | undefined {
  switch (spec.type) {
    case 'key':
      return passes(t.trim(), keyProblem);
    case 'text':
      return passes(t.trim(), lineProblem);
    case 'enum':
      // a listed value is lower-case without spaces: trimming and lower-casing would not change it
      return spec.values?.includes(t) ? t : undefined;
    case 'bool':
      return t === 'true' ? true : t === 'false' ? false : undefined;
    case 'email':
      // the cell is trimmed already, which is all `coerce` does before these tests; printable ASCII
      // (nearly every address) needs no other key check, and its lower case is what `coerce` gives
      return asciiEmail(t);
    default:
      return undefined;
  }
}

/** The text when it is not empty and has no problem (else `coerce` says what it is). */
function passes(t: string, problem: (text: string) => string | undefined): string | undefined {
  return t !== '' && problem(t) === undefined ? t : undefined;
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by `n` ASCII digits at `at`, or -1 (no regular expression, no substring). */
function digitsAt(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The text starts with YYYY-MM-DD naming a real calendar day from 1900 on (this runs for every date cell). */
function startsWithCanonicalDate(t: string): boolean {
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return false;
  const y = digitsAt(t, 0, 4);
  const m = digitsAt(t, 5, 2);
  const d = digitsAt(t, 8, 2);
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  if (d <= 28) return true;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= MONTH_DAYS[m - 1]!;
}

/** YYYY-MM-DD naming a real calendar day in the accepted range. */
export function isCanonicalDate(t: string): boolean {
  return t.length === 10 && startsWithCanonicalDate(t);
}

/** YYYY-MM-DDThh:mm:ssZ naming a real day and time (what export writes). */
export function isCanonicalTimestamp(t: string): boolean {
  if (t.length !== 20 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 90)
    return false;
  const h = digitsAt(t, 11, 2);
  const min = digitsAt(t, 14, 2);
  const sec = digitsAt(t, 17, 2);
  return h >= 0 && h <= 23 && min >= 0 && min <= 59 && sec >= 0 && sec <= 59 && startsWithCanonicalDate(t);
}

/** Key columns that are empty: each is a problem. */
export function requireKeys(text: RowIn['text'], keys: readonly string[]): RowProblem[] {
  return keys.filter((k) => text[k] === undefined).map((k) => ({ field: k, value: '', rule: 'is required (it identifies the row)' }));
}

/** Stored form of a coerced value: booleans 0/1, money cents, lists ';'-joined. */
export function stored(spec: FieldSpec, v: FieldValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (spec.type === 'bool') return v ? 1 : 0;
  if (spec.type === 'money') return toCents(v as string);
  if (spec.type === 'list') return (v as string[]).join(';');
  if (spec.type === 'limit') return limitToStored(v);
  return v;
}

/** Runs a shared `check*` rule function; its InvalidDataError's problems are the row's. */
export function checked<T>(fn: () => T): T | RowProblem[] {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidDataError) return e.problems;
    throw e;
  }
}

/** The given cells as a plain input object (for the shared check functions). */
export function givenText(text: RowIn['text']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(text)) if (v !== undefined) out[k] = v;
  return out;
}
