import type { Generated, Selectable } from '#kysely';

/** One row per import run (for `import history` and `import undo`). */
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
