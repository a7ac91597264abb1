import type { Generated } from '#kysely';

/**
 * How many rows a batch inserted into one table, and their lowest and highest id (the rows themselves
 * carry the batch's id: ImportTracked.import_batch_id).
 */
export interface ImportBatchInsertsTable {
  id: Generated<number>;
  batch_id: number;
  table_name: string;
  first_id: number;
  last_id: number;
  row_count: number;
}
