/**
 * The checks every entity's values go through, from the command line and from CSV rows alike: field
 * types (src/lib/fields.ts), required fields, dates and list filters. Each problem is a FieldProblem.
 */
import { InvalidDataError, invalid, type FieldProblem } from '../errors.js';
import { dateRule } from './dates.js';
import { coerce, coerceAll, type FieldSpec, type FieldValue } from './fields.js';

const REQUIRED = 'is required';

/** Coerces the given fields and throws one InvalidDataError naming every bad field and value. */
export function checkFields(specs: readonly FieldSpec[], input: Record<string, unknown>): Record<string, FieldValue> {
  const { values, problems } = coerceAll(specs, input);
  if (problems.length > 0) throw new InvalidDataError(problems);
  return values;
}

/**
 * The required fields a new record would be without (absent or empty after coercion), except those
 * that already have a problem.
 */
export function missingFields(
  specs: readonly FieldSpec[],
  values: Readonly<Record<string, FieldValue | undefined>>,
  problems: readonly FieldProblem[] = [],
): FieldProblem[] {
  return specs
    .filter((f) => f.required && (values[f.name] === null || values[f.name] === undefined) && !problems.some((p) => p.field === f.name))
    .map((f) => ({ field: f.name, value: '', rule: REQUIRED }));
}

/** The fields an edit empties that a record must have: the required ones and those with a default. */
export function clearedFields(specs: readonly FieldSpec[], values: Readonly<Record<string, FieldValue | undefined>>): FieldProblem[] {
  return specs
    .filter((f) => (f.required || f.default !== undefined) && f.name in values && values[f.name] === null)
    .map((f) => ({ field: f.name, value: '', rule: REQUIRED }));
}

/** Throws when a required field of a new record is missing (see missingFields). */
export function requirePresent(specs: readonly FieldSpec[], values: Record<string, FieldValue>): void {
  const problems = missingFields(specs, values);
  if (problems.length > 0) throw new InvalidDataError(problems);
}

/** Throws when an edit empties a field a record must have (see clearedFields). */
export function refuseCleared(specs: readonly FieldSpec[], values: Record<string, FieldValue>): void {
  const problems = clearedFields(specs, values);
  if (problems.length > 0) throw new InvalidDataError(problems);
}

/**
 * One value checked as its field is checked (a flag such as `renew --term` or `--students`); `field`
 * names it in the message when the flag's name differs from the field's.
 */
export function checkOne(spec: FieldSpec, raw: unknown, field = spec.name): FieldValue {
  const r = coerce(spec, raw);
  if (!r.ok) throw invalid(field, raw, r.rule);
  return r.value;
}

/** An optional date option whose shape commander checked: calendar and range are checked here (exit 1). */
export function checkDate(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  const rule = dateRule(text);
  if (rule !== undefined) throw invalid(field, text, rule);
  return text;
}

/** A day something has happened on (a payment, say) is not after today, the as-of date: nothing is recorded ahead. */
export function refuseAfterToday(field: string, day: string, asOf: string): void {
  if (day > asOf) throw invalid(field, day, `must not be after today (${asOf})`);
}

/**
 * A list's `--from`/`--to` pair, each checked as a date; a `to` before `from` can match nothing, so it is
 * refused (`to: "2026-01-01": is before --from (2026-12-01)`) rather than giving an empty list.
 */
export function checkDateRange(fromValue: unknown, toValue: unknown): { from: string | undefined; to: string | undefined } {
  const from = checkDate('from', fromValue);
  const to = checkDate('to', toValue);
  if (from !== undefined && to !== undefined && to < from) throw invalid('to', to, `is before --from (${from})`);
  return { from, to };
}

/**
 * A list filter's value, checked as the field it filters on is checked on `add`, so an unknown value
 * is refused (`status: "bogus": must be one of active, inactive`) instead of matching nothing.
 */
export function checkFilter<T extends string | number>(spec: FieldSpec, raw: T | undefined): T | undefined {
  if (raw === undefined) return undefined;
  const value = checkOne(spec, raw);
  if (value === null) throw invalid(spec.name, raw, 'must not be empty');
  return value as T;
}
