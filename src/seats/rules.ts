/** Pure seat rules, shared by the seats service, the CSV importer and the reminders. */

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
