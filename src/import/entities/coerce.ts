/**
 * Cells → values for the entity importers: the shared field specs' coercion (with fast paths for the
 * canonical date forms), key presence, stored forms, and the shared `check*` functions' problems.
 */
import { coerce, toCents, type FieldSpec, type FieldValue } from '../../lib/fields.js';
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
    let t = text[spec.name];
    if (t === undefined) continue;
    if (spec.type === 'date' || spec.type === 'timestamp') t = toIsoDate(t, dateFormat);
    // the common, already-canonical forms skip the general parsers (a million rows, two dates each)
    if ((spec.type === 'timestamp' && isCanonicalTimestamp(t)) || (spec.type === 'date' && isCanonicalDate(t))) {
      values[spec.name] = t;
      continue;
    }
    const fast = fastCoerce(spec, t);
    if (fast !== undefined) {
      values[spec.name] = fast;
      continue;
    }
    const r = coerce(spec, t);
    if (r.ok) values[spec.name] = r.value;
    else {
      const hint = spec.type === 'date' || spec.type === 'timestamp' ? dateHint(t) : '';
      problems.push({ column: spec.name, value: text[spec.name]!, rule: r.rule + hint });
    }
  }
  return { values, problems };
}

/**
 * What `coerce` returns for the commonest cells, without its general path (a million rows, eight cells
 * each); undefined: ask `coerce`. Each case gives exactly `coerce`'s value for the cells it accepts.
 */
function fastCoerce(spec: FieldSpec, t: string): FieldValue | undefined {
  switch (spec.type) {
    case 'text':
      return t.trim() || undefined;
    case 'enum':
      // a listed value is lower-case without spaces: trimming and lower-casing would not change it
      return spec.values?.includes(t) ? t : undefined;
    case 'bool':
      return t === 'true' ? true : t === 'false' ? false : undefined;
    default:
      return undefined;
  }
}

const CANONICAL_TS = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

const CANONICAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** YYYY-MM-DD naming a real calendar day (no Date object: this runs for every date cell). */
function isCanonicalDate(t: string): boolean {
  if (!CANONICAL_DATE.test(t)) return false;
  const y = Number(t.slice(0, 4));
  const m = Number(t.slice(5, 7));
  const d = Number(t.slice(8, 10));
  if (d <= 28) return true;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= MONTH_DAYS[m - 1]!;
}

function isCanonicalTimestamp(t: string): boolean {
  return CANONICAL_TS.test(t) && isCanonicalDate(t.slice(0, 10));
}

/** Key columns that are empty: each is a problem. */
export function requireKeys(text: RowIn['text'], keys: readonly string[]): RowProblem[] {
  return keys.filter((k) => text[k] === undefined).map((k) => ({ column: k, value: '', rule: 'is required (it identifies the row)' }));
}

/** Stored form of a coerced value: booleans 0/1, money cents, lists ';'-joined. */
export function stored(spec: FieldSpec, v: FieldValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (spec.type === 'bool') return v ? 1 : 0;
  if (spec.type === 'money') return toCents(v as string);
  if (spec.type === 'list') return (v as string[]).join(';');
  return v;
}

/** Runs a shared `check*` rule function; its InvalidDataError becomes row problems. */
export function checked<T>(fn: () => T): T | RowProblem[] {
  try {
    return fn();
  } catch (e) {
    const problems = (e as { problems?: { field: string; value: unknown; rule: string }[] }).problems;
    if (!problems) throw e;
    return problems.map((p) => ({ column: p.field, value: p.value === null || p.value === undefined ? '' : String(p.value), rule: p.rule }));
  }
}

/** The given cells as a plain input object (for the shared check functions). */
export function givenText(text: RowIn['text']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(text)) if (v !== undefined) out[k] = v;
  return out;
}
