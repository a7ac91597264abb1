/** Manager rules shared by the commands and the importer, judged on references the caller has found. */
import type { FieldProblem } from '../errors.js';

/** Each is unique among managers (login and email compared as keys, employee_id exactly). */
export const UNIQUE_MANAGER_FIELDS = ['login', 'email', 'employee_id'] as const;

/**
 * `value` of `field` is held by manager `holder` already; `line`: the import line that gave it to them,
 * when it was this file.
 */
export function takenProblem(field: (typeof UNIQUE_MANAGER_FIELDS)[number], value: unknown, holder: string, line?: number): FieldProblem {
  const where = line === undefined ? '' : ` (line ${line})`;
  return { field, value, rule: `is already used by manager ${holder}${where}` };
}
