import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface ProductsTable extends ImportTracked {
  id: Generated<number>;
  code: string;
  /** foldKey(code): unique */
  code_key: string;
  name: string;
  created_at: string;
  updated_at: string;
}
export type ProductRow = Selectable<ProductsTable>;
