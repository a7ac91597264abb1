/** Pure seat rules, shared by the seats service, the CSV importer and the reminders. */
import { notAContactRule } from '../contacts/rules.js';
import { asOfIsToday } from '../op.js';

/** Normalized UTC timestamps compare as strings; null is "never". */
export function laterTimestamp(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

/**
 * Idle since DATE: no login on or after that date. A seat that never logged in counts from its
 * invited_at (one invited on or after DATE is not idle); with neither, it is idle.
 */
export function isIdleSince(seat: { last_login_at: string | null; invited_at: string | null }, date: string): boolean {
  if (seat.last_login_at !== null) return seat.last_login_at.slice(0, 10) < date;
  if (seat.invited_at !== null) return seat.invited_at < date;
  return true;
}

/**
 * When a login given no time happened: now, when the as-of date is the machine's local date of now; the
 * start of the as-of day when `--as-of` or ACCTMGR_TODAY names another day. Compared with the local date,
 * never the UTC one: where the two differ (Pacific/Kiritimati is 14 hours ahead) the login would otherwise
 * be put at the start of the local date — hours in the future — and last_login_at never moves back.
 */
export function defaultLoginAt(op: { asOf: string; now: string; clockToday?: string }): string {
  return asOfIsToday(op) ? op.now : `${op.asOf}T00:00:00Z`;
}

/**
 * Why a removed contact cannot get this seat, or undefined. A removed contact gets no seat that is not
 * removed: `seats add` refuses it, and so does an import row that would add such a seat or bring a removed
 * one back (`before`: the stored seat's status, undefined when new; `after`: the status it would have). A
 * row that leaves a seat as live as it was (a contact removed while it held it: doctor's
 * seat_of_removed_contact), or a removed seat, is history.
 */
export function removedContactSeatRule(
  contact: { email: string; status: string },
  accountExternalId: string,
  before: string | undefined,
  after: string,
): string | undefined {
  if (contact.status !== 'removed' || after === 'removed' || (before !== undefined && before !== 'removed')) return undefined;
  return notAContactRule(accountExternalId, contact.email, 'removed');
}
