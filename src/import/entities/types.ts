/** The interface every entity importer implements, and what the engine hands it. */
import type { FieldSpec } from '../../lib/fields.js';
import type { Op } from '../../op.js';
import type { BatchRecorder } from '../batch.js';
import type { DateFormat } from '../cells.js';
import type { RowProblem } from '../errors.js';
import type { EntityName } from '../../formats/catalog.js';
import type { PreparedRows } from '../bulk/prepared.js';
import type { AnyStatements, Maybe } from '../statements.js';

/** The entity list lives with the CSV formats (src/formats/catalog.ts), below import and export. */
export { ENTITIES, type EntityName } from '../../formats/catalog.js';

export type OnExisting = 'update' | 'skip' | 'error';

export interface ImportContext {
  statements: AnyStatements;
  op: Op;
  batch: BatchRecorder;
  onExisting: OnExisting;
  dateFormat: DateFormat;
  /** How the import ran, for --debug (a bulk load says how it wrote). */
  notes?: string[];
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
  /** What the row loop counted the row as when it was applied: the engine counts it as rejected instead. */
  outcome?: RowOutcome;
}

export type RowResult = RowOutcome | RowProblem[];

export interface EntityImport {
  /** Validates one row against the database and the rows before it, and applies it when valid. */
  row(r: RowIn): RowResult | Promise<RowResult>;
  /** Checks that need every row (forward references, cycles); problems name the rows' lines. */
  finish(): Promise<Deferred[]>;
  /**
   * --skip-invalid: what `finish` would refuse had the `excluded` rows not been applied, known from what
   * the rows recorded and the database as this run left it. So the rows `finish` refuses, and those that
   * refer to them, are known after one run, and a second run leaves them all out (src/import/passes.ts).
   */
  refusedWithout?(excluded: ReadonlyMap<number, readonly RowProblem[]>): Maybe<Deferred[]>;
  /** Present when this file's rows may be prepared in a reader thread (a large file: src/import/bulk/). */
  prepared?: PreparedRows;
}

/** What the engine knows of the file before its rows are read. */
export interface FileInfo {
  bytes: number;
  /** whether a large file may be bulk-loaded (src/import/bulk/load.ts); false: row by row (ImportRequest.bulk) */
  bulk: boolean;
}

export interface EntityDef {
  name: EntityName;
  /** The CSV columns in export order (accounts add their custom fields). */
  columns(statements: AnyStatements): Promise<FieldSpec[]>;
  /** Columns a file must have: the key and the fields a new record needs. */
  required: readonly string[];
  /** `finish` may refuse rows it has seen applied: --skip-invalid runs the file inside a savepoint. */
  checksAtEnd?: boolean;
  /**
   * A large file of this entity alone may be imported with foreign-key enforcement off (src/db/bulk.ts):
   * its importer proves, before commit, that every reference it wrote exists.
   */
  provesReferences?: boolean;
  /**
   * URL of the module that prepares this entity's rows in a reader thread, when `open` offers
   * `prepared` with it: the engine may start the thread for a large file before `open` (src/import/rows.ts).
   */
  readerPreparer?: string;
  open(ctx: ImportContext, columns: readonly FieldSpec[], file: FileInfo): Promise<EntityImport>;
}
