/**
 * Price tables: rows of (max_students, term_months, amount) per plan, amounts in integer cents.
 * The lookup rule itself lives in pricing.ts (pickPrice/priceFor), shared with subscriptions.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { NotFoundError } from '../errors.js';
import { formatCents } from '../lib/fields.js';
import type { Op } from '../op.js';
import { checkPrice, checkPriceKey, checkStudents, checkTerm } from './checks.js';
import { getPlan } from './lookup.js';
import { priceFor } from './pricing.js';
import { comparePriceRows, toPriceRecord, type PriceRecord } from './records.js';

export interface PriceChange {
  before: PriceRecord | null;
  after: PriceRecord;
  changed: boolean;
}

/** The audit key of a price row: plan/term/max_students ("any" for the flat row). */
function priceKey(plan: string, term: number, max: number | null): string {
  return `${plan}/${term}/${max ?? 'any'}`;
}

async function findRow(db: Kysely<DB>, planId: number, term: number, max: number | null) {
  return db
    .selectFrom('plan_prices')
    .select(['id', 'max_students', 'term_months', 'amount_cents'])
    .where('plan_id', '=', planId)
    .where('term_months', '=', term)
    .where('max_students', max === null ? 'is' : '=', max)
    .executeTakeFirst();
}

/** Adds the row, or changes its amount when the plan already has one for that term and max_students. */
export async function setPrice(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<PriceChange> {
  const v = checkPrice(input);
  const plan = await getPlan(db, v.plan);
  const existing = await findRow(db, plan.id, v.term_months, v.max_students);
  const after = toPriceRecord(plan.code, v);
  const key = priceKey(plan.code, v.term_months, v.max_students);
  if (existing) {
    const before = toPriceRecord(plan.code, existing);
    if (existing.amount_cents === v.amount_cents) return { before, after, changed: false };
    await db.updateTable('plan_prices').set({ amount_cents: v.amount_cents, updated_at: op.now }).where('id', '=', existing.id).execute();
    await audit(db, op, { action: 'edit', entity: 'price', key, before, after });
    return { before, after, changed: true };
  }
  await db
    .insertInto('plan_prices')
    .values({
      plan_id: plan.id,
      max_students: v.max_students,
      term_months: v.term_months,
      amount_cents: v.amount_cents,
      created_at: op.now,
      updated_at: op.now,
    })
    .execute();
  await audit(db, op, { action: 'add', entity: 'price', key, after });
  return { before: null, after, changed: true };
}

export async function removePrice(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<PriceRecord> {
  const v = checkPriceKey(input);
  const plan = await getPlan(db, v.plan);
  const key = priceKey(plan.code, v.term_months, v.max_students);
  const existing = await findRow(db, plan.id, v.term_months, v.max_students);
  if (!existing) throw new NotFoundError('price row', key, `see the price table with: acctmgr plans show ${plan.code}`);
  await db.deleteFrom('plan_prices').where('id', '=', existing.id).execute();
  const before = toPriceRecord(plan.code, existing);
  await audit(db, op, { action: 'remove', entity: 'price', key, before });
  return before;
}

/** Every price row (of one plan, or of all plans), in plan code then price table order. */
export async function listPrices(db: Kysely<DB>, planCode?: string): Promise<PriceRecord[]> {
  let q = db
    .selectFrom('plan_prices')
    .innerJoin('plans', 'plans.id', 'plan_prices.plan_id')
    .select(['plans.code as plan', 'plan_prices.max_students', 'plan_prices.term_months', 'plan_prices.amount_cents'])
    .orderBy('plans.code_key');
  if (planCode !== undefined) q = q.where('plan_prices.plan_id', '=', (await getPlan(db, planCode)).id);
  const rows = await q.execute();
  // SQL gives the plan order; within a plan (equal codes) the price table order decides
  const rank = new Map(rows.map((r, i) => [r.plan, i]));
  return rows.sort((a, b) => rank.get(a.plan)! - rank.get(b.plan)! || comparePriceRows(a, b)).map((r) => toPriceRecord(r.plan, r));
}

export interface Quote {
  plan: string;
  product: string;
  students: number;
  term_months: number;
  amount: string;
  currency: string;
  legacy: boolean;
}

/** What the price table charges for this many students and term (the rule subscriptions use). */
export async function quotePrice(db: Kysely<DB>, planCode: string, students: number, term: number): Promise<Quote> {
  checkStudents(students);
  checkTerm(term);
  const plan = await getPlan(db, planCode);
  const cents = await priceFor(db, plan, students, term);
  const product = await db.selectFrom('products').select('code').where('id', '=', plan.product_id).executeTakeFirstOrThrow();
  return {
    plan: plan.code,
    product: product.code,
    students,
    term_months: term,
    amount: formatCents(cents),
    currency: plan.currency,
    legacy: plan.legacy !== 0,
  };
}
