/**
 * Pure date and money rules of subscriptions, shared by the services and the CSV importer. Money is
 * integer minor units (cents); dates are YYYY-MM-DD strings (src/lib/dates.ts does the calendar).
 */
import { addMonthsThenDays, deriveDate, diffDays } from '../lib/dates.js';

/**
 * The last day of access: start + term calendar months − 1 day (month ends clamp before the −1). Past
 * 9999-12-31 it is an error naming the field the start came from (`field`, `value`).
 */
export function endDateFor(start: string, termMonths: number, field = 'start_date', value: string = start): string {
  return deriveDate(field, value, 'the end date', () => addMonthsThenDays(start, termMonths, -1));
}

/** Days between two dates, both included. */
export function inclusiveDays(from: string, to: string): number {
  return diffDays(from, to) + 1;
}

/**
 * Integer division rounding half up (towards +∞), exact in BigInt: a price difference times the days left
 * passes 2^53 long before the quotient does (9007199254740990 × 183 / 365 was a cent off in doubles).
 */
export function divideHalfUp(numerator: number | bigint, denominator: number): number {
  if (denominator <= 0) throw new Error('denominator must be positive');
  const n = 2n * BigInt(numerator) + BigInt(denominator);
  const d = 2n * BigInt(denominator);
  // BigInt division truncates towards zero; half up is the floor of (2n + d) / 2d
  return Number(n / d - (n % d < 0n ? 1n : 0n));
}

export interface UpgradeQuoteInput {
  oldPriceCents: number;
  newPriceCents: number;
  startDate: string;
  endDate: string;
  asOf: string;
}

export interface UpgradeFigures {
  remaining_days: number;
  term_days: number;
  charge_cents: number;
}

/**
 * charge = round_half_up((new − old) × remaining_days / term_days), remaining_days = end − as_of + 1,
 * term_days = end − start + 1. The caller checks that as_of lies within start..end.
 */
export function upgradeCharge(q: UpgradeQuoteInput): UpgradeFigures {
  const remaining = inclusiveDays(q.asOf, q.endDate);
  const term = inclusiveDays(q.startDate, q.endDate);
  return {
    remaining_days: remaining,
    term_days: term,
    charge_cents: divideHalfUp(BigInt(q.newPriceCents - q.oldPriceCents) * BigInt(remaining), term),
  };
}
