/**
 * Upgrades take effect at once and cost the price difference for the remaining days (terms.ts has the
 * formula). A quote changes nothing; applying changes the subscription in place. Downgrades wait for
 * the renewal.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { InvalidDataError, RefusedError, invalid } from '../errors.js';
import { formatCents } from '../lib/fields.js';
import type { Op } from '../op.js';
import { checkStudents, otherProductPlan } from '../plans/checks.js';
import { assertPlanCurrent, getPlan } from '../plans/lookup.js';
import { priceFor } from '../plans/pricing.js';
import { addHistory } from './history.js';
import { getSubscription } from './lookup.js';
import { loadRecord, type SubscriptionRecord } from './records.js';
import { refuseCancelled } from './status.js';
import { upgradeCharge } from './terms.js';

export interface UpgradeInput {
  plan: string;
  students?: number;
}

export interface UpgradeQuote {
  external_id: string;
  old_plan: string;
  new_plan: string;
  old_students: number;
  new_students: number;
  old_price: string;
  new_price: string;
  remaining_days: number;
  term_days: number;
  charge: string;
  currency: string;
  as_of: string;
}

async function prepare(db: Kysely<DB>, op: Op, key: string, input: UpgradeInput) {
  const sub = await getSubscription(db, key);
  refuseCancelled(sub);
  const oldPlan = await db.selectFrom('plans').selectAll().where('id', '=', sub.plan_id).executeTakeFirstOrThrow();
  const plan = await getPlan(db, input.plan);
  const other = otherProductPlan(input.plan, plan, sub.product_id);
  if (other) throw new InvalidDataError([other]);
  if (plan.currency !== oldPlan.currency) {
    throw invalid('plan', input.plan, `is priced in ${plan.currency}, the subscription in ${oldPlan.currency}`);
  }
  await assertPlanCurrent(db, plan);
  const students = checkStudents(input.students ?? sub.students);
  if (op.asOf < sub.start_date || op.asOf > sub.end_date) {
    throw invalid('as_of', op.asOf, `must lie within the subscription's term ${sub.start_date}..${sub.end_date}`);
  }
  const newPrice = await priceFor(db, plan, students, sub.term_months);
  if (newPrice <= sub.price_cents) {
    throw new RefusedError(
      `${plan.code} with ${students} students costs ${formatCents(newPrice)} ${plan.currency}, not more than the current ${formatCents(sub.price_cents)}: a downgrade takes effect at renewal`,
      `use: acctmgr subscriptions renew ${sub.external_id} --plan ${plan.code} --students ${students}`,
    );
  }
  const figures = upgradeCharge({
    oldPriceCents: sub.price_cents,
    newPriceCents: newPrice,
    startDate: sub.start_date,
    endDate: sub.end_date,
    asOf: op.asOf,
  });
  const quote: UpgradeQuote = {
    external_id: sub.external_id,
    old_plan: oldPlan.code,
    new_plan: plan.code,
    old_students: sub.students,
    new_students: students,
    old_price: formatCents(sub.price_cents),
    new_price: formatCents(newPrice),
    remaining_days: figures.remaining_days,
    term_days: figures.term_days,
    charge: formatCents(figures.charge_cents),
    currency: plan.currency,
    as_of: op.asOf,
  };
  return { sub, plan, students, newPrice, charge: figures.charge_cents, quote };
}

/** What the upgrade would cost on the as-of date; writes nothing. */
export async function quoteUpgrade(db: Kysely<DB>, op: Op, key: string, input: UpgradeInput): Promise<UpgradeQuote> {
  return (await prepare(db, op, key, input)).quote;
}

/** Same external_id and end_date; plan, students and price change; the charge goes to the history. */
export async function applyUpgrade(
  db: Kysely<DB>,
  op: Op,
  key: string,
  input: UpgradeInput,
): Promise<{ quote: UpgradeQuote; record: SubscriptionRecord }> {
  const p = await prepare(db, op, key, input);
  const before = await loadRecord(db, p.sub.id, op.asOf);
  await db
    .updateTable('subscriptions')
    .set({ plan_id: p.plan.id, students: p.students, price_cents: p.newPrice, updated_at: op.now })
    .where('id', '=', p.sub.id)
    .execute();
  const { external_id: _, ...details } = p.quote;
  await addHistory(db, op, p.sub.id, 'upgrade', { amountCents: p.charge, details });
  const record = await loadRecord(db, p.sub.id, op.asOf);
  await audit(db, op, {
    action: 'upgrade',
    entity: 'subscription',
    key: p.sub.external_id,
    before: { plan: before.plan, students: before.students, price: before.price },
    after: { plan: record.plan, students: record.students, price: record.price, charge: p.quote.charge },
  });
  return { quote: p.quote, record };
}
