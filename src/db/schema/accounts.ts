import type { Generated, Insertable, Selectable, Updateable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface AccountsTable extends ImportTracked {
  id: Generated<number>;
  external_id: string;
  /** foldKey(external_id): unique */
  external_id_key: string;
  name: string;
  type: string;
  status: string;
  group_id: number | null;
  parent_id: number | null;
  country: string | null;
  region: string | null;
  registration_no: string | null;
  student_count: number | null;
  locale: string | null;
  manager_id: number | null;
  /** 1 unless customer emails are switched off (migration 0012) */
  customer_emails: Generated<number>;
  created_at: string;
  updated_at: string;
}
export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
