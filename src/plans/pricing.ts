/**
 * The price of a subscription: the amount of the row with the smallest max_students ≥ students for
 * its term. A row without max_students ("any number", flat prices) applies only when no numbered row
 * covers the count. Amounts are integer minor units (cents).
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { PlanPriceRow } from '../db/schema/plan-prices.js';
import type { PlanRow } from '../db/schema/plans.js';
import { RefusedError } from '../errors.js';

export type PriceRow = Pick<PlanPriceRow, 'max_students' | 'term_months' | 'amount_cents'>;

/** Pure lookup over a plan's rows (tested at the tier boundaries). */
export function pickPrice(planCode: string, rows: readonly PriceRow[], students: number, termMonths: number): number {
  const forTerm = rows.filter((r) => r.term_months === termMonths);
  if (forTerm.length === 0) {
    const terms = [...new Set(rows.map((r) => r.term_months))].sort((a, b) => a - b);
    const has = terms.length > 0 ? `it has prices for ${terms.join(' and ')} months only` : 'its price table is empty';
    throw new RefusedError(
      `plan ${planCode} has no price for a ${termMonths}-month term: ${has}`,
      `add one with: acctmgr plans price ${planCode} --term ${termMonths} --amount AMOUNT`,
    );
  }
  const numbered = forTerm
    .filter((r) => r.max_students !== null && r.max_students >= students)
    .sort((a, b) => a.max_students! - b.max_students!);
  if (numbered[0]) return numbered[0].amount_cents;
  const flat = forTerm.find((r) => r.max_students === null);
  if (flat) return flat.amount_cents;
  const largest = Math.max(...forTerm.map((r) => r.max_students ?? 0));
  throw new RefusedError(
    `plan ${planCode} has no price for ${students} students on a ${termMonths}-month term: its largest tier is ${largest} students`,
    `add a larger tier, or an any-number row: acctmgr plans price ${planCode} --term ${termMonths} --amount AMOUNT`,
  );
}

export async function priceFor(db: Kysely<DB>, plan: PlanRow, students: number, termMonths: number): Promise<number> {
  const rows = await db
    .selectFrom('plan_prices')
    .select(['max_students', 'term_months', 'amount_cents'])
    .where('plan_id', '=', plan.id)
    .execute();
  return pickPrice(plan.code, rows, students, termMonths);
}
