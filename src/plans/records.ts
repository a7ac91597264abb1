/** Rows mapped to the records that `--json` prints, so a column rename cannot change the output. */
import type { PlanRow } from '../db/schema/plans.js';
import type { ProductRow } from '../db/schema/products.js';
import { formatCents, limitOut, splitList, type UNLIMITED } from '../lib/fields.js';
import type { PriceRow } from './pricing.js';

export interface ProductRecord {
  code: string;
  name: string;
}

export interface PlanRecord {
  code: string;
  name: string;
  product: string;
  currency: string;
  modules: string[];
  legacy: boolean;
  sessions_per_week: number | typeof UNLIMITED;
  sessions_per_month: number | typeof UNLIMITED;
  trainings_per_year: number | typeof UNLIMITED;
  included_training_credits: number;
}

/** A row of a plan's price table as `plans show` prints it (max_students null = any number). */
export interface PriceTableRow {
  max_students: number | null;
  term_months: number;
  amount: string;
}

/** A price row on its own (`plans price --json`, export): the plan code leads. */
export interface PriceRecord extends PriceTableRow {
  plan: string;
}

export function toProductRecord(row: ProductRow): ProductRecord {
  return { code: row.code, name: row.name };
}

export function toPlanRecord(row: PlanRow, productCode: string): PlanRecord {
  return {
    code: row.code,
    name: row.name,
    product: productCode,
    currency: row.currency,
    modules: splitList(row.modules),
    legacy: row.legacy !== 0,
    sessions_per_week: limitOut(row.sessions_per_week),
    sessions_per_month: limitOut(row.sessions_per_month),
    trainings_per_year: limitOut(row.trainings_per_year),
    included_training_credits: row.included_training_credits,
  };
}

export function toPriceTableRow(row: PriceRow): PriceTableRow {
  return { max_students: row.max_students, term_months: row.term_months, amount: formatCents(row.amount_cents) };
}

export function toPriceRecord(planCode: string, row: PriceRow): PriceRecord {
  return { plan: planCode, ...toPriceTableRow(row) };
}

/** Price table order: by term, then max_students, the "any number" row of each term last. */
export function comparePriceRows(a: PriceRow, b: PriceRow): number {
  if (a.term_months !== b.term_months) return a.term_months - b.term_months;
  if (a.max_students === b.max_students) return 0;
  if (a.max_students === null) return 1;
  if (b.max_students === null) return -1;
  return a.max_students - b.max_students;
}
