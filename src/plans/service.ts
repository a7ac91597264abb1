/**
 * Plans: what a product is sold on (Starter, Basic, Medium, Maximum …), each with its currency,
 * included modules and price table. Plan codes are unique across all products (compared as keys).
 * Plain functions over Kysely; the caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { audit, audited } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import type { PlanRow } from '../db/schema/plans.js';
import { ConflictError } from '../errors.js';
import { limitToStored, withDefaults } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { checkPlan } from './checks.js';
import { PLAN_FIELDS } from './fields.js';
import { findPlan, getPlan, getProduct } from './lookup.js';
import { comparePriceRows, toPlanRecord, toPriceTableRow, type PlanRecord, type PriceTableRow } from './records.js';

export { assertPlanCurrent, findPlan, getPlan } from './lookup.js';

/** The record of one plan row (one extra query for its product's code). */
async function planRecord(db: Kysely<DB>, row: PlanRow): Promise<PlanRecord> {
  const product = await db.selectFrom('products').select('code').where('id', '=', row.product_id).executeTakeFirstOrThrow();
  return toPlanRecord(row, product.code);
}

export async function addPlan(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<PlanRecord> {
  const v = withDefaults(PLAN_FIELDS, checkPlan(input, 'add')) as ReturnType<typeof checkPlan>;
  const product = await getProduct(db, v.product!);
  const other = await findPlan(db, v.code!);
  if (other) {
    const owner = await planRecord(db, other);
    throw new ConflictError(
      `code "${v.code}" is already used by plan ${owner.code} of product ${owner.product}`,
      'plan codes are unique across all products',
    );
  }
  const row = await db
    .insertInto('plans')
    .values({
      code: v.code!,
      code_key: foldKey(v.code!),
      name: v.name!,
      product_id: product.id,
      currency: v.currency!,
      modules: v.modules!.join(';'),
      legacy: v.legacy ? 1 : 0,
      sessions_per_week: limitToStored(v.sessions_per_week) ?? null,
      sessions_per_month: limitToStored(v.sessions_per_month) ?? null,
      trainings_per_year: limitToStored(v.trainings_per_year) ?? null,
      included_training_credits: v.included_training_credits!,
      created_at: op.now,
      updated_at: op.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'add', entity: 'plan', key: row.code }, toPlanRecord(row, product.code));
}

export type PlanEdit = Partial<Record<'name' | 'modules' | 'included_training_credits' | (typeof LIMITS)[number], unknown>>;
const LIMITS = ['sessions_per_week', 'sessions_per_month', 'trainings_per_year'] as const;

/**
 * Changes the name, the modules, the fair-use limits and/or the included training credits. Code, product and currency stay:
 * subscriptions and their stored prices refer to them.
 */
export async function editPlan(db: Kysely<DB>, op: Op, code: string, input: PlanEdit): Promise<PlanRecord> {
  const row = await getPlan(db, code);
  const editable = {
    name: input.name,
    modules: input.modules,
    included_training_credits: input.included_training_credits,
    ...Object.fromEntries(LIMITS.map((l) => [l, input[l]])),
  };
  const given = Object.fromEntries(Object.entries(editable).filter(([, x]) => x !== undefined));
  const v = checkPlan(given, 'edit');
  const before = await planRecord(db, row);
  const set: { name?: string; modules?: string; included_training_credits?: number } & Partial<
    Record<(typeof LIMITS)[number], number | null>
  > = {};
  if (v.name !== undefined && v.name !== row.name) set.name = v.name;
  if (v.modules !== undefined && v.modules.join(';') !== row.modules) set.modules = v.modules.join(';');
  const credits = v.included_training_credits;
  if (credits !== undefined && credits !== row.included_training_credits) set.included_training_credits = credits;
  for (const l of LIMITS) {
    const stored = limitToStored(v[l]);
    if (stored !== undefined && stored !== row[l]) set[l] = stored;
  }
  if (Object.keys(set).length === 0) return before;
  const updated = await db
    .updateTable('plans')
    .set({ ...set, updated_at: op.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'edit', entity: 'plan', key: row.code, before }, toPlanRecord(updated, before.product));
}

/**
 * Marks a plan legacy. Running subscriptions keep it; new ones, renewals and upgrades onto it are
 * refused by assertPlanCurrent. Retiring a retired plan changes nothing (safe to run twice).
 */
export async function retirePlan(db: Kysely<DB>, op: Op, code: string): Promise<{ plan: PlanRecord; changed: boolean }> {
  const row = await getPlan(db, code);
  const before = await planRecord(db, row);
  if (row.legacy) return { plan: before, changed: false };
  await db.updateTable('plans').set({ legacy: 1, updated_at: op.now }).where('id', '=', row.id).execute();
  const after = { ...before, legacy: true };
  await audit(db, op, { action: 'retire', entity: 'plan', key: row.code, before, after });
  return { plan: after, changed: true };
}

export interface PlanFilter {
  product?: string;
  /** true: only retired plans; false: only current ones */
  legacy?: boolean;
}

export async function listPlans(db: Kysely<DB>, f: PlanFilter = {}): Promise<PlanRecord[]> {
  let q = db
    .selectFrom('plans')
    .innerJoin('products', 'products.id', 'plans.product_id')
    .selectAll('plans')
    .select('products.code as product_code')
    .orderBy('plans.code_key');
  if (f.product !== undefined) q = q.where('plans.product_id', '=', (await getProduct(db, f.product)).id);
  if (f.legacy !== undefined) q = q.where('plans.legacy', '=', f.legacy ? 1 : 0);
  const rows = await q.execute();
  return rows.map((r) => toPlanRecord(r, r.product_code));
}

export interface PlanDetails extends PlanRecord {
  prices: PriceTableRow[];
}

export async function showPlan(db: Kysely<DB>, code: string): Promise<PlanDetails> {
  const row = await getPlan(db, code);
  const prices = await db
    .selectFrom('plan_prices')
    .select(['max_students', 'term_months', 'amount_cents'])
    .where('plan_id', '=', row.id)
    .execute();
  return { ...(await planRecord(db, row)), prices: prices.sort(comparePriceRows).map(toPriceTableRow) };
}
