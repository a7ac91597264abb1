/**
 * Products: what a vendor sells subscriptions to (a subject site, an e-diary, a training programme).
 * Plain functions over Kysely; the caller owns the transaction. Codes keep their spelling and compare
 * as keys (unique index on their fold, code_key).
 */
import type { Kysely } from '#kysely';
import { audited } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { ConflictError } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { checkProduct } from './checks.js';
import { findProduct, getProduct } from './lookup.js';
import { toPlanRecord, toProductRecord, type PlanRecord, type ProductRecord } from './records.js';

export async function addProduct(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<ProductRecord> {
  const v = checkProduct(input, 'add');
  const code = v.code!;
  const other = await findProduct(db, code);
  if (other) throw new ConflictError(`code "${code}" is already used by product ${other.code}`);
  const row = await db
    .insertInto('products')
    .values({ code, code_key: foldKey(code), name: v.name!, created_at: op.now, updated_at: op.now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'add', entity: 'product', key: row.code }, toProductRecord(row));
}

/** Only the name changes: the code is the key that plans, subscriptions and import files use. */
export async function editProduct(db: Kysely<DB>, op: Op, code: string, input: { name?: unknown }): Promise<ProductRecord> {
  const row = await getProduct(db, code);
  const v = checkProduct(input.name === undefined ? {} : { name: input.name }, 'edit');
  const before = toProductRecord(row);
  if (v.name === undefined || v.name === row.name) return before;
  const updated = await db
    .updateTable('products')
    .set({ name: v.name, updated_at: op.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return audited(db, op, { action: 'edit', entity: 'product', key: row.code, before }, toProductRecord(updated));
}

export async function listProducts(db: Kysely<DB>): Promise<ProductRecord[]> {
  const rows = await db.selectFrom('products').selectAll().orderBy('code_key').execute();
  return rows.map(toProductRecord);
}

export interface ProductDetails extends ProductRecord {
  plans: PlanRecord[];
}

export async function showProduct(db: Kysely<DB>, code: string): Promise<ProductDetails> {
  const row = await getProduct(db, code);
  const plans = await db.selectFrom('plans').selectAll().where('product_id', '=', row.id).orderBy('code_key').execute();
  return { ...toProductRecord(row), plans: plans.map((p) => toPlanRecord(p, row.code)) };
}
