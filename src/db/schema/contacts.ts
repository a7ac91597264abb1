import type { Generated, Insertable, Selectable, Updateable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface ContactsTable extends ImportTracked {
  id: Generated<number>;
  account_id: number;
  name: string | null;
  email: string;
  /** foldKey(email): unique within the account */
  email_key: string;
  role: string;
  is_primary: number;
  status: string;
  invited_at: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}
export type ContactRow = Selectable<ContactsTable>;
export type NewContactRow = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
