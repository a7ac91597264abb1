/** One row per account and custom field that has a value (stored as text). */
export interface AccountFieldValuesTable {
  account_id: number;
  field_id: number;
  value: string;
}
