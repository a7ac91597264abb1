import type { Generated } from '#kysely';

/**
 * Columns of every table an import writes (migration 0006): the batch that inserted the row, and a
 * change counter that every UPDATE increments (a trigger), for `import undo`.
 */
export interface ImportTracked {
  import_batch_id: number | null;
  rev: Generated<number>;
}
