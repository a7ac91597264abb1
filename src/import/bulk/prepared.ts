/**
 * What an importer offers so that the rows of a large file are read and prepared in a reader thread
 * (src/import/bulk/reader-thread.ts): on one thread a million contacts spend ≈ 2 s parsing, cleaning and
 * coercing cells and ≈ 3 s in SQLite; with the first part in a second thread the two overlap.
 *
 * The thread loads the preparer module by its URL and runs its `readerPreparer(data)` on every row's
 * cleaned cells; it packs each prepared row into `width` slots of a flat batch (one array per batch
 * clones far faster than an object per row). On this thread `apply` does the rest of what the importer's
 * `row` does, and `keyText` gives the row's key cells. A row the preparer refuses comes back as its
 * cells and goes through `row`, so its problems are exactly the ones `row` finds.
 */
import type { FieldSpec } from '../../lib/fields.js';
import type { RowIn, RowResult } from '../entities/types.js';

export interface PreparedRows {
  /** URL of a module exporting `readerPreparer` (a PreparerModule); it must not touch the database. */
  preparer: string;
  /** The preparer's input, copied into the thread once (structured clone). */
  data: unknown;
  /** Slots a prepared row takes in a batch. */
  width: number;
  /** Validates the prepared row at `batch[at…]` against the database and the rows before it, and applies it. */
  apply(line: number, batch: readonly unknown[], at: number): RowResult | Promise<RowResult>;
  /** The prepared row's key cells, by field name (for "duplicates line N" of a rejected row's key). */
  keyText(batch: readonly unknown[], at: number): RowIn['text'];
}

/** The reader thread's side: the fields the cleaned cells come in, and the row preparer. */
export interface ThreadPreparer {
  fields: readonly FieldSpec[];
  /** Prepares one row's cleaned cells (in `fields` order) into `out`; false: refused (let `row` say why). */
  prepare: (line: number, cells: readonly (string | undefined)[], out: unknown[]) => boolean;
}

export interface PreparerModule {
  readerPreparer(data: unknown): ThreadPreparer;
}
