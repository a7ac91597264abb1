import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { PlanRow } from '../db/schema/plans.js';
import type { ProductRow } from '../db/schema/products.js';
import { NotFoundError, RefusedError } from '../errors.js';
import { foldKey } from '../lib/keys.js';

/** Product and plan codes are compared as keys (unique indexes on their folds, code_key). */
export async function findProduct(db: Kysely<DB>, code: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('code_key', '=', foldKey(code.trim())).executeTakeFirst();
}

export async function getProduct(db: Kysely<DB>, code: string): Promise<ProductRow> {
  const row = await findProduct(db, code);
  if (!row) throw new NotFoundError('product', code, 'list products with: acctmgr products list');
  return row;
}

export async function findPlan(db: Kysely<DB>, code: string): Promise<PlanRow | undefined> {
  return db.selectFrom('plans').selectAll().where('code_key', '=', foldKey(code.trim())).executeTakeFirst();
}

export async function getPlan(db: Kysely<DB>, code: string): Promise<PlanRow> {
  const row = await findPlan(db, code);
  if (!row) throw new NotFoundError('plan', code, 'list plans with: acctmgr plans list');
  return row;
}

/** New subscriptions, renewals and upgrades only go onto current plans; name the current ones. */
export async function assertPlanCurrent(db: Kysely<DB>, plan: PlanRow): Promise<void> {
  if (!plan.legacy) return;
  const current = await db
    .selectFrom('plans')
    .select('code')
    .where('product_id', '=', plan.product_id)
    .where('legacy', '=', 0)
    .orderBy('code')
    .execute();
  throw new RefusedError(
    `plan ${plan.code} is retired (legacy): it keeps its running subscriptions but takes no new ones`,
    current.length > 0 ? `current plans of this product: ${current.map((c) => c.code).join(', ')}` : 'this product has no current plan',
  );
}
