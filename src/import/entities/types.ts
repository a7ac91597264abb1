/** The interface every entity importer implements, and what the engine hands it. */
import type { FieldSpec } from '../../lib/fields.js';
import type { Op } from '../../op.js';
import type { BatchRecorder } from '../batch.js';
import type { DateFormat } from '../cells.js';
import type { RowProblem } from '../errors.js';
import type { Statements } from '../statements.js';

export const ENTITIES = [
  'managers',
  'groups',
  'accounts',
  'contacts',
  'products',
  'plans',
  'prices',
  'subscriptions',
  'seats',
  'logins',
] as const;
export type EntityName = (typeof ENTITIES)[number];

export type OnExisting = 'update' | 'skip' | 'error';

export interface ImportContext {
  statements: Statements;
  op: Op;
  batch: BatchRecorder;
  onExisting: OnExisting;
  dateFormat: DateFormat;
}

export interface RowIn {
  line: number;
  /** Cleaned cell text by field name; undefined when the cell is empty or the column absent. */
  text: Record<string, string | undefined>;
}

export type RowOutcome = 'inserted' | 'updated' | 'unchanged';

export interface Deferred {
  line: number;
  problems: RowProblem[];
}

export interface EntityImport {
  /** Validates one row against the database and the rows before it, and applies it when valid. */
  row(r: RowIn): RowOutcome | RowProblem[];
  /** Checks that need every row (forward references, cycles); problems name the rows' lines. */
  finish(): Promise<Deferred[]>;
  /** Present when this file's rows may be prepared in a reader thread (src/import/lane.ts). */
  lane?: RowLane;
}

/**
 * Rows prepared in a reader thread: the thread parses, cleans and coerces each row with the pure
 * preparer named here (src/import/lane-worker.ts), given `data`, and packs it into `width` slots of a
 * batch; `apply` does the rest of what `row` does, on this thread, and `keyText` gives the key cells
 * as written. A row the preparer refuses comes back as cells and goes through `row`, so its
 * problems are exactly the ones `row` finds.
 */
export interface RowLane {
  preparer: LanePreparer;
  data: LaneData;
  width: number;
  apply(line: number, batch: readonly unknown[], at: number): RowOutcome | RowProblem[];
  keyText(batch: readonly unknown[], at: number): RowIn['text'];
}

export type LanePreparer = 'contacts';

/** What the contacts preparer needs: the date format and every account's stored key (folded external id) and id. */
export interface LaneData {
  dateFormat: DateFormat;
  accountKeys: string[];
  accountIds: number[];
}

/** What the engine knows of the file before its rows are read. */
export interface FileInfo {
  bytes: number;
}

export interface EntityDef {
  name: EntityName;
  /** The CSV columns in export order (accounts add their custom fields). */
  columns(statements: Statements): Promise<FieldSpec[]>;
  /** Columns a file must have: the key and the fields a new record needs. */
  required: readonly string[];
  open(ctx: ImportContext, columns: readonly FieldSpec[], file: FileInfo): Promise<EntityImport>;
}
