/**
 * Columns of every table an import writes (migration 0006): the batch that inserted the row, and a
 * change counter that every UPDATE increments (a trigger), for `import undo`.
 */
export interface ImportTracked {
  import_batch_id: number | null;
  rev: Generated<number>;
}

/** Tables of the import issue (batches and what each batch changed, for undo). */
import type { Generated, Selectable } from 'kysely';

export interface ImportBatchesTable {
  id: Generated<number>;
  at: string;
  actor: string;
  /** the entity imported, or 'all' */
  entity: string;
  /** the file or directory as typed */
  source: string;
  /** applied | undone */
  status: string;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  summary_json: string | null;
  undone_at: string | null;
}
export type ImportBatchRow = Selectable<ImportBatchesTable>;

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

export interface ImportTables {
  import_batches: ImportBatchesTable;
  import_batch_inserts: ImportBatchInsertsTable;
  import_batch_updates: ImportBatchUpdatesTable;
}
