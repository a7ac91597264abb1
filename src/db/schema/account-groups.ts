import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface AccountGroupsTable extends ImportTracked {
  id: Generated<number>;
  name: string;
  /** foldKey(name): unique (src/lib/keys.ts) */
  name_key: string;
  created_at: string;
}
export type GroupRow = Selectable<AccountGroupsTable>;
