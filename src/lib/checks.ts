import { InvalidDataError, invalid } from '../errors.js';
import { isValidDate } from './dates.js';
import { coerceAll, type FieldSpec, type FieldValue } from './fields.js';

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

/** Shallow changes between two records: only keys whose values differ. */
export function diff<T extends Record<string, unknown>>(before: T, after: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = after[k];
  }
  return out;
}

/** An optional date option whose shape commander checked: the calendar is checked here (exit 1). */
export function checkDate(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  if (!isValidDate(text)) throw invalid(field, text, 'is not a real calendar date');
  return text;
}
