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

/** Rows a batch inserted into one table: every id in first_id..last_id (contiguous, one transaction). */
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
}

export interface ImportTables {
  import_batches: ImportBatchesTable;
  import_batch_inserts: ImportBatchInsertsTable;
  import_batch_updates: ImportBatchUpdatesTable;
}
