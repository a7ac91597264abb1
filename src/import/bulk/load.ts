/**
 * A bulk load into one table, whichever database (chosen once, by the statements: SQLite's BulkTable in
 * src/import/bulk/bulk-table.ts, PostgreSQL's COPY in src/import/bulk/pg-bulk-table.ts). The importer asks
 * `find` before `insert`: the table's unique key is checked in memory while its indexes are suspended.
 */
import type { BatchRecorder, BatchTable } from '../batch.js';
import type { Maybe, Row } from '../statements.js';

export interface BulkTableOptions {
  table: BatchTable;
  /** Columns of an INSERT that each row gives. */
  columns: readonly string[];
  /**
   * Columns with one value for every row (the import's timestamps), written into the statement as
   * literals: a million rows bind two million values less (≈ 0.5 s of a million contacts).
   */
  constants?: Record<string, string | number>;
  /** The unique key (stored values, compared exactly as the unique index compares them). */
  key: readonly string[];
  /** Rows expected in the file (sizes the key index). */
  expectedRows: number;
  batch: BatchRecorder;
  /** Called with a new row's id as it is queued (both databases know it then). */
  onInserted: (id: number, line: number) => void;
}

export interface BulkLoad {
  /** The stored row with this key (values in `key` order), or undefined; `hash`: hashKey of the key. */
  find(keyValues: readonly unknown[], hash?: number): Maybe<Row | undefined>;
  /** False when no stored or queued row has a key of this hash (`find` would answer undefined at once). */
  mayHold(hash: number): boolean;
  /** Queues a new row whose key the caller found free (`find`); a Promise when the caller must wait. */
  insert(line: number, rec: Row, hash?: number): Maybe<void>;
  /** Inserts a new row at once (with the queued ones before it); its id. */
  insertNow(line: number, rec: Row): Maybe<number>;
  /** Writes what is queued and puts the suspended indexes back (a broken UNIQUE index throws here). */
  finish(): Promise<void>;
  /** How the load ran, for --debug. */
  readonly notes: readonly string[];
}
