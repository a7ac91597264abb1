import type { Generated, Selectable } from '#kysely';
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
  /** credits of the training a subscription on this plan includes (migration 0010); 0: none */
  included_training_credits: Generated<number>;
  created_at: string;
  updated_at: string;
}
export type PlanRow = Selectable<PlansTable>;
