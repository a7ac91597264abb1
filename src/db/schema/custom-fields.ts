import type { Generated, Selectable } from '#kysely';

/** Definitions of accounts' custom fields. */
export interface CustomFieldsTable {
  id: Generated<number>;
  name: string;
  type: string;
  required: number;
  created_at: string;
}
export type CustomFieldRow = Selectable<CustomFieldsTable>;
