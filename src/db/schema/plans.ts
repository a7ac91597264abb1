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
  created_at: string;
  updated_at: string;
}
export type PlanRow = Selectable<PlansTable>;
