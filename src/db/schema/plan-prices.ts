import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface PlanPricesTable extends ImportTracked {
  id: Generated<number>;
  plan_id: number;
  /** null = any number of students (flat price) */
  max_students: number | null;
  term_months: number;
  amount_cents: number;
  created_at: string;
  updated_at: string;
}
export type PlanPriceRow = Selectable<PlanPricesTable>;
