/** Who is acting and when: passed to every service that changes data (the clock is injected). */
export interface Op {
  actor: string;
  /** The calendar date rules are evaluated on (`--as-of`, else today). */
  asOf: string;
  /** The local calendar date (ACCTMGR_TODAY overrides). */
  today: string;
  /** Wall-clock UTC timestamp for created_at / audit rows. */
  now: string;
}
