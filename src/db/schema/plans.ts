import type { Generated, Selectable } from 'kysely';
import type { ImportTracked } from './import-tracked.js';

export interface PlansTable extends ImportTracked {
  id: Generated<number>;
  code: string;
  /** foldKey(code): unique across all products */
  code_key: string;
  name: string;
  product_id: number;
  currency: string;
  /** ';'-separated module names */
  modules: string;
  legacy: number;
  /** fair-use limits (migration 0008): null is unlimited, 0 none */
  sessions_per_week: number | null;
  sessions_per_month: number | null;
  trainings_per_year: number | null;
  created_at: string;
  updated_at: string;
}
export type PlanRow = Selectable<PlansTable>;
