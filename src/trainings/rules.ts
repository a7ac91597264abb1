/**
 * Pure rules of trainings, shared by the service and the importer so a command and a CSV row are refused
 * in the same words: the key, what a training must have at each step, its dates, and the step moves.
 */
import type { FieldProblem } from '../errors.js';
import { dateRule, toDayNumber } from '../lib/dates.js';
import { formatCents, toCents, type FieldValue } from '../lib/fields.js';
import { numberedKey } from '../lib/numbered-key.js';
import { checkCurrency } from '../plans/checks.js';
import { TRAINING_STEPS, type TrainingStatus } from './fields.js';

/** TRN-000001 … : the key of a training. */
export const TRAINING_KEY = numberedKey('TRN', 'training', 'list trainings with: acctmgr trainings list --account ID');
export const trainingKey = TRAINING_KEY.key;

/** The topic of a package training until it is agreed. */
export const TOPIC_TO_BE_AGREED = '(to be agreed)';

/** What the rules judge: a training's values as they are (stored) or would be (after an add or edit). */
export interface TrainingState {
  credits: number;
  register_no: string | null;
  format: string | null;
  venue: string | null;
  /** one or two dates, in order (none while not agreed) */
  dates: string[];
  travel: boolean;
  source: string;
  price_cents: number;
  currency: string | null;
  status: string;
  /** the day a delivered training was delivered (its step), when known: its dates may not move past it */
  delivered_on?: string | null;
  /** the invoice (not void) that bills it, when known: it cannot become a package training */
  billed_by?: string | null;
  /** today (the as-of date), when known: a delivered training without a known delivery day has no date after it */
  as_of?: string;
}

export const NEW_TRAINING: TrainingState = {
  credits: 0,
  register_no: null,
  format: null,
  venue: null,
  dates: [],
  travel: false,
  source: 'direct',
  price_cents: 0,
  currency: null,
  status: 'requested',
};

const STATE_FIELDS = ['credits', 'register_no', 'format', 'venue', 'source', 'currency', 'status'] as const;

/**
 * The state after the given checked values (a field left out keeps the base's value; an empty one
 * clears it), and every problem of it: the values' own rules (currency, price) and trainingProblems.
 */
export function judge(base: TrainingState, v: Record<string, FieldValue>): { state: TrainingState; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  checkCurrency(v, problems);
  const state: TrainingState = { ...base };
  for (const f of STATE_FIELDS) if (v[f] !== undefined) (state as unknown as Record<string, unknown>)[f] = v[f];
  if (v.dates !== undefined) state.dates = (v.dates as string[] | null) ?? [];
  if (v.travel !== undefined) state.travel = v.travel === true;
  // within 2^53 − 1 cents: coerce's money rule
  if (typeof v.price === 'string') state.price_cents = toCents(v.price);
  if (problems.length === 0) problems.push(...trainingProblems(state));
  return { state, problems };
}

/** Every rule a training's values break, whatever its step. */
export function trainingProblems(s: TrainingState): FieldProblem[] {
  const problems = [...dateProblems(s.dates, s.format)];
  if (s.travel && s.format !== 'offsite') problems.push({ field: 'travel', value: true, rule: 'only for an offsite training' });
  if (s.source === 'package' && s.price_cents !== 0)
    problems.push({ field: 'price', value: formatCents(s.price_cents), rule: 'must be 0 for a package training' });
  if (s.source === 'package' && s.billed_by)
    problems.push({ field: 'source', value: s.source, rule: `${BILLED_PACKAGE} ${s.billed_by} (void that invoice first)` });
  if (s.price_cents !== 0 && s.currency === null) problems.push({ field: 'currency', value: '', rule: 'is required with a price' });
  problems.push(...missingFor(s.status, s));
  if (s.status === 'delivered' && s.delivered_on && deliveredBeforeLast(s.delivered_on, s.dates))
    problems.push({ field: 'dates', value: s.dates.join(';'), rule: `${AFTER_DELIVERY} (${s.delivered_on})` });
  // imported history keeps no delivered step: such a training has at least taken place by today
  else if (s.status === 'delivered' && !s.delivered_on && s.as_of && deliveredBeforeLast(s.as_of, s.dates))
    problems.push({ field: 'dates', value: s.dates.join(';'), rule: `a delivered training cannot have a date after today (${s.as_of})` });
  return problems;
}

/** A training is delivered on or after its last date: `advance --to delivered` and `edit --dates` alike. */
export function deliveredBeforeLast(on: string, dates: readonly string[]): boolean {
  const last = lastDate(dates);
  return last !== null && on < last;
}

/** A package training is paid for by its subscription: one an invoice bills cannot become one (the invoices import refuses that bill). */
const BILLED_PACKAGE = 'a training billed by an invoice cannot come with a package: it is billed by invoice';

/** Whether an edit (or import row) makes a training a package one, so that the invoice billing it matters. */
export function becomesPackage(base: TrainingState, v: Record<string, FieldValue>): boolean {
  return v.source === 'package' && base.source !== 'package';
}

const AFTER_DELIVERY = 'a delivered training cannot have a date after the day it was delivered';

/** One or two real dates, in order; two only online or on two consecutive days. */
export function dateProblems(dates: readonly string[], format: string | null): FieldProblem[] {
  const bad = dates.flatMap((d) => {
    const rule = dateRule(d);
    return rule === undefined ? [] : [{ field: 'dates', value: d, rule }];
  });
  if (bad.length > 0) return bad;
  const text = dates.join(';');
  if (dates.length > 2) return [{ field: 'dates', value: text, rule: 'at most two dates' }];
  if (dates.length < 2) return [];
  const gap = toDayNumber(dates[1]!) - toDayNumber(dates[0]!);
  if (gap <= 0) return [{ field: 'dates', value: text, rule: 'must be in order: the second date after the first' }];
  if (gap !== 1 && format !== 'online')
    return [{ field: 'dates', value: text, rule: 'two dates only for an online training or on two consecutive days' }];
  return [];
}

/** A step of the main line (cancelled is not one). */
function stepIndex(status: string): number {
  return (TRAINING_STEPS as readonly string[]).indexOf(status);
}

/**
 * What a training must have at a step: from confirmed on the format and the dates, the register
 * number when it gives credits, and the venue when it is offsite.
 */
export function missingFor(status: string, s: TrainingState): FieldProblem[] {
  if (stepIndex(status) < stepIndex('confirmed')) return [];
  const rule = `is required for a ${status} training (from confirmed on)`;
  const missing: string[] = [];
  if (s.format === null) missing.push('format');
  if (s.dates.length === 0) missing.push('dates');
  if (s.credits > 0 && s.register_no === null) missing.push('register_no');
  if (s.format === 'offsite' && s.venue === null) missing.push('venue');
  return missing.map((field) => ({ field, value: '', rule }));
}

/** The step after `from`, or undefined (delivered and cancelled have none). */
export function nextStep(from: string): TrainingStatus | undefined {
  const i = stepIndex(from);
  return i < 0 ? undefined : TRAINING_STEPS[i + 1];
}

/**
 * Why a training cannot advance from `from` (to `to`, when named): the end of the line, a step skipped
 * or taken back, or confirming without the expert. Undefined: the move is allowed.
 */
export function advanceProblem(key: string, from: string, to: string | undefined, by: string | undefined): string | undefined {
  const next = nextStep(from);
  if (next === undefined) return `training ${key} is ${from}: it has no next step`;
  if (to !== undefined && to !== next)
    return `training ${key} is ${from}: the next step is ${next}, not ${to}${to === 'cancelled' ? ' (cancel it with: acctmgr trainings cancel)' : ''}`;
  if (next === 'confirmed' && by === undefined)
    return `training ${key} is ${from}: the next step, confirmed, needs --by LOGIN (the training expert who confirmed it)`;
  return undefined;
}

/** A training is cancelled from any step before delivered. */
export function cancelProblem(key: string, from: string): string | undefined {
  return from === 'delivered' || from === 'cancelled' ? `training ${key} is ${from}: it cannot be cancelled` : undefined;
}

/**
 * The day of a step: not before the previous step's day, and delivered neither after today nor before
 * the last training date.
 */
export function stepDateProblem(
  on: string,
  to: string,
  previous: { status: string; on_date: string } | undefined,
  dates: readonly string[],
  asOf: string,
): FieldProblem | undefined {
  if (to === 'delivered' && on > asOf)
    return { field: 'on', value: on, rule: `must not be after today (${asOf}): a training is delivered once it has taken place` };
  if (previous && on < previous.on_date)
    return { field: 'on', value: on, rule: `is before the previous step (${previous.status} on ${previous.on_date})` };
  if (to === 'delivered' && deliveredBeforeLast(on, dates))
    return {
      field: 'on',
      value: on,
      rule: `is before the last training date (${lastDate(dates)}): a training is delivered on or after it`,
    };
  return undefined;
}

/** The last training day (the second date, else the first), or null. */
export function lastDate(dates: readonly string[]): string | null {
  return dates[dates.length - 1] ?? null;
}
