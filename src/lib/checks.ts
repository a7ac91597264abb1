import { InvalidDataError, invalid } from '../errors.js';
import { dateRule } from './dates.js';
import { coerce, coerceAll, type FieldSpec, type FieldValue } from './fields.js';

/** Coerces the given fields and throws one InvalidDataError naming every bad field and value. */
export function checkFields(specs: readonly FieldSpec[], input: Record<string, unknown>): Record<string, FieldValue> {
  const { values, problems } = coerceAll(specs, input);
  if (problems.length > 0) throw new InvalidDataError(problems);
  return values;
}

/** Required fields that are absent after coercion (an empty value counts as absent). */
export function requirePresent(specs: readonly FieldSpec[], values: Record<string, FieldValue>): void {
  const problems = specs
    .filter((f) => f.required && (values[f.name] === null || values[f.name] === undefined))
    .map((f) => ({ field: f.name, value: '', rule: 'is required' }));
  if (problems.length > 0) throw new InvalidDataError(problems);
}

/** An optional date option whose shape commander checked: calendar and range are checked here (exit 1). */
export function checkDate(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  const rule = dateRule(text);
  if (rule !== undefined) throw invalid(field, text, rule);
  return text;
}

/**
 * A list filter's value, checked as the field it filters on is checked on `add`, so an unknown value
 * is refused (`status: "bogus": must be one of active, inactive`) instead of matching nothing.
 */
export function checkFilter<T extends string | number>(spec: FieldSpec, raw: T | undefined): T | undefined {
  if (raw === undefined) return undefined;
  const r = coerce(spec, raw);
  if (!r.ok) throw invalid(spec.name, raw, r.rule);
  if (r.value === null) throw invalid(spec.name, raw, 'must not be empty');
  return r.value as T;
}
