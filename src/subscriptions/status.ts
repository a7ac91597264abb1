/**
 * The displayed status of a subscription on a date: the first that applies of cancelled, trial,
 * renewed (a non-cancelled successor exists), expired, unpaid, expiring (≤ 42 days left), active.
 */
import { RefusedError } from '../errors.js';
import { diffDays } from '../lib/dates.js';

export const BASE_STATUSES = ['active', 'trial', 'cancelled'] as const;
export const DISPLAYED_STATUSES = ['cancelled', 'trial', 'renewed', 'expired', 'unpaid', 'expiring', 'active'] as const;
export type DisplayedStatus = (typeof DISPLAYED_STATUSES)[number];

const EXPIRING_WITHIN_DAYS = 42;

export interface StatusInput {
  status: string;
  end_date: string;
  paid_at: string | null;
  /** true when a successor that is not cancelled exists */
  has_successor: boolean;
}

export function displayedStatus(s: StatusInput, asOf: string): DisplayedStatus {
  if (s.status === 'cancelled') return 'cancelled';
  if (s.status === 'trial') return 'trial';
  if (s.has_successor) return 'renewed';
  if (s.end_date < asOf) return 'expired';
  if (s.paid_at === null) return 'unpaid';
  if (diffDays(asOf, s.end_date) <= EXPIRING_WITHIN_DAYS) return 'expiring';
  return 'active';
}

/** A cancelled subscription is not paid, upgraded, renewed or given seats; `why` says what is refused. */
export function refuseCancelled(sub: { status: string; external_id: string }, why = ''): void {
  if (sub.status === 'cancelled') throw new RefusedError(cancelledSubscription(sub.external_id, why));
}

/** The words of that refusal, also where a cancelled subscription's part is skipped rather than refused. */
export function cancelledSubscription(externalId: string, why = ''): string {
  return `subscription ${externalId} is cancelled${why}`;
}
