/** `--as-of` and every other date option: the value's shape checked as commander parses it (kept small: `--help` loads it). */
import { InvalidArgumentError } from 'commander';
import { dateShapeProblem } from '../lib/dates.js';

export function parseDateOption(raw: string): string {
  const problem = dateShapeProblem(raw);
  if (problem) throw new InvalidArgumentError(problem);
  return raw.trim();
}
