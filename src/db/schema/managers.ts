import type { Generated, Insertable, Selectable, Updateable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface ManagersTable extends ImportTracked {
  id: Generated<number>;
  login: string;
  name: string;
  email: string;
  /** foldKey(email): unique */
  email_key: string;
  employee_id: string | null;
  phone: string | null;
  mobile: string | null;
  region: string | null;
  status: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}
export type ManagerRow = Selectable<ManagersTable>;
export type NewManagerRow = Insertable<ManagersTable>;
export type ManagerUpdate = Updateable<ManagersTable>;
