/** The `id` cell of the entities with generated numbered keys (activities, requests, trainings). */
import type { NumberedKey } from '../../lib/numbered-key.js';
import { wait, type Maybe, type Row, type Step } from '../statements.js';
import type { Upserter } from './common.js';
import type { RowResult } from './types.js';

/**
 * The `id` cell of an entity with generated numbered keys (ACT-, REQ-, TRN-000001): empty, the row is new
 * (no number); else the stored row with that number, if any, after --on-existing and the duplicate check.
 * A RowResult (problems, or `unchanged` for a skipped row) ends the row.
 */
export function* findNumbered(
  up: Upserter,
  byNumber: (n: number) => Maybe<Row | undefined>,
  key: NumberedKey,
  text: string | undefined,
  line: number,
): Step<{ number?: number; existing?: Row } | RowResult> {
  if (text === undefined) return {};
  const problem = key.problem('id', text);
  if (problem) return [problem];
  const number = key.number(text)!;
  const existing = yield* wait(byNumber(number));
  const pre = up.precheck(existing, { field: 'id', value: text, what: 'same id' });
  if (pre === 'skip') return up.skip(existing!, line);
  if (pre) return pre;
  return { number, existing };
}

/** A row's result rather than what findNumbered found. */
export function isRowResult(v: object | RowResult): v is RowResult {
  return typeof v === 'string' || Array.isArray(v);
}
