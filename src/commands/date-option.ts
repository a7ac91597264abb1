/**
 * `--as-of` and every other date, time and month option: the value's shape checked as commander parses
 * it, so a malformed value is a usage error (exit 2) on every command alike; the calendar and the range
 * are the services' (exit 1). Kept small: `--help` loads it.
 */
import { InvalidArgumentError } from 'commander';
import { quote } from '../errors.js';
import { dateShapeProblem, timestampShapeProblem } from '../lib/dates.js';

export function parseDateOption(raw: string): string {
  const problem = dateShapeProblem(raw);
  if (problem) throw new InvalidArgumentError(problem);
  return raw.trim();
}

/** An ISO 8601 timestamp's shape (a date, optionally followed by a time). */
export function parseTimestampOption(raw: string): string {
  const problem = timestampShapeProblem(raw);
  if (problem) throw new InvalidArgumentError(problem);
  return raw.trim();
}

/** `YYYY-MM` (a month of the reports and the training calendar). */
export function parseMonthOption(raw: string): string {
  if (!/^\d{4}-\d{2}$/.test(raw.trim())) throw new InvalidArgumentError(`${quote(raw)} is not a month in the form YYYY-MM`);
  return raw.trim();
}

/** A `;`-separated list of dates (`trainings --dates`); empty clears it on `edit`. */
export function parseDateListOption(raw: string): string {
  for (const item of raw.split(';')) {
    const problem = item.trim() === '' ? undefined : dateShapeProblem(item);
    if (problem) throw new InvalidArgumentError(problem);
  }
  return raw;
}
