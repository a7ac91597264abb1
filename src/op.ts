import { localDate } from './lib/dates.js';

/** Who is acting and when: passed to every service that changes data (the clock is injected). */
export interface Op {
  /** Who is acting as history records name them (subscription and import history): `--actor`, else the OS user. */
  actor: string;
  /**
   * The audit log's actor on SQLite: the OS user running the command, whatever `--actor` says (absent: `actor`).
   * On PostgreSQL the server records the connected role instead (src/db/actor.ts).
   */
  user?: string;
  /** `--actor`, when given: the audit log records it beside the actor (on_behalf_of), never instead of it. */
  onBehalfOf?: string;
  /** The calendar date rules are evaluated on (`--as-of`, else today). */
  asOf: string;
  /** The local calendar date (ACCTMGR_TODAY overrides). */
  today: string;
  /** Wall-clock UTC timestamp for created_at / audit rows. */
  now: string;
  /**
   * The local calendar date of `now` on the machine's clock (ACCTMGR_TODAY and `--as-of` do not change it):
   * whether the as-of date is the real today, whose "now" is `now` (asOfIsToday). Absent: the local date of `now`.
   */
  clockToday?: string;
}

/**
 * Whether the as-of date is the day `now` falls on locally — the real today, whose "now" is `now` (a
 * login, an activity logged without a time). Never the UTC date of `now`: far from UTC the two differ for
 * part of every day.
 */
export function asOfIsToday(op: Pick<Op, 'asOf' | 'now' | 'clockToday'>): boolean {
  return op.asOf === (op.clockToday ?? localDate(new Date(op.now)));
}
