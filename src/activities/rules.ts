/**
 * Pure rules of activities, shared by the service and the importer: the key, the defaults that depend
 * on other values, and which status moves are allowed.
 */
import { asOfIsToday } from '../op.js';
import { isSessionKind, type SessionKind } from './fields.js';
import { numberedKey } from '../lib/numbered-key.js';

/** ACT-000001 … : the key of an activity. */
export const ACTIVITY_KEY = numberedKey('ACT', 'activity', 'list activities with: acctmgr activities list --account ID');
export const activityKey = ACTIVITY_KEY.key;
export const activityNumber = ACTIVITY_KEY.number;

/** Minutes a session lasts when none is given. */
export function defaultDuration(kind: string): number | null {
  if (kind === 'web_session') return 30;
  if (kind === 'training_session') return 120;
  return null;
}

/** A new activity is done when it is not after now, else planned. */
export function defaultStatus(at: string, now: string): 'done' | 'planned' {
  return at > now ? 'planned' : 'done';
}

/**
 * "Now" for activities: the real instant while the as-of date is the day it falls on locally; when
 * `--as-of` (or ACCTMGR_TODAY) names another day, that day at the current UTC time of day, so it moves
 * with every other date rule. (The as-of date at the UTC time of day alone was a day off for part of
 * every day far from UTC: the local date and the UTC date differ then.)
 */
export function activityNow(op: { asOf: string; now: string; clockToday?: string }): string {
  if (asOfIsToday(op)) return op.now;
  return `${op.asOf}${op.now.slice(10)}`;
}

/**
 * Whether an activity is held to fair use: a session that is not cancelled. Nothing else can pass a limit,
 * so an override of it overrides nothing and no override_reason is kept (the command and the import alike).
 */
export function heldToFairUse(kind: string, status: string): kind is SessionKind {
  return isSessionKind(kind) && status !== 'cancelled';
}

/** `done` and `cancel` close a planned activity only. */
export function closeProblem(key: string, status: string, to: 'done' | 'cancelled'): string | undefined {
  if (status === 'planned') return undefined;
  return `activity ${key} is ${status}: only a planned activity can be ${to === 'done' ? 'marked done' : 'cancelled'}`;
}

/** The rule a follow-up loop breaks; the loop follows it (`: ACT-000001 → ACT-000002 → ACT-000001`). */
export const FOLLOW_UP_CYCLE = 'would make a follow-up cycle';

/** The words of a followed activity of another account than the follow-up's. */
export function otherAccountRule(accountExternalId: string): string {
  return `is an activity of another account (not ${accountExternalId})`;
}

/**
 * Moving an activity that others follow to another account: refused, since each follow-up must stay in
 * the account of the activity it follows (`follow_up_of` on add, edit and import).
 */
export function followedMoveRule(key: string, followers: readonly { key: string; account: string }[]): string {
  const list = followers.map((f) => `${f.key} (${f.account})`).join(', ');
  return `activity ${key} is followed by ${list}: a follow-up stays in the account of the activity it follows`;
}
