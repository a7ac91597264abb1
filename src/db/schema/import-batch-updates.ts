import type { Generated } from '#kysely';

/** A row a batch updated, as it was before. */
export interface ImportBatchUpdatesTable {
  id: Generated<number>;
  batch_id: number;
  table_name: string;
  row_id: number;
  before_json: string;
  /** the row's rev when the batch had written it (-1: not known) */
  rev_after: Generated<number>;
}
