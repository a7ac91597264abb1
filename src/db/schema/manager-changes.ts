import type { Generated, Insertable, Selectable } from '#kysely';

/** A change of an account's manager made by a person (migration 0013): the cycle of a manager-changed notice. */
export interface ManagerChangesTable {
  id: Generated<number>;
  account_id: number;
  from_manager_id: number | null;
  to_manager_id: number;
  /** assign | edit | reassign | renew */
  via: string;
  /** the as-of date of the change */
  changed_on: string;
  created_at: string;
}
export type ManagerChangeRow = Selectable<ManagerChangesTable>;
export type NewManagerChangeRow = Insertable<ManagerChangesTable>;
