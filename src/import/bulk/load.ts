/**
 * A bulk load into one table, whichever database (chosen once, by the statements: SQLite's BulkTable in
 * src/import/bulk/bulk-table.ts, PostgreSQL's COPY in src/import/bulk/pg-bulk-table.ts). The importer asks
 * `find` before `insert`: the table's unique key is checked in memory while its indexes are suspended.
 */
import { RefusedError } from '../../errors.js';
import type { BatchRecorder, BatchTable } from '../batch.js';
import { eachRow, type Maybe, type Row, type Statements, type Timing } from '../statements.js';
import { checkKey, hashKey, KeyIndex } from './key-index.js';

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
  /**
   * Load into the indexed table (PostgreSQL only: a file small beside its table, src/import/bulk/plan.ts);
   * else the indexes are suspended, where the role may, and rebuilt.
   */
  keepIndexes?: boolean;
}

/**
 * The keys of the table's stored rows by id, read in pages, in a KeyIndex with room for the file's rows too;
 * `withCheck`: each key's checkKey kept beside its hash (PostgreSQL's, whose queued rows are read back later).
 */
export async function storedKeys<T extends Timing>(statements: Statements<T>, o: BulkTableOptions, withCheck = false): Promise<KeyIndex> {
  const counted = (await statements.any
    .selectFrom(o.table)
    .select((eb: any) => eb.fn.countAll().as('n'))
    .executeTakeFirst()) as { n: number | string } | undefined;
  const keys = new KeyIndex(Number(counted?.n ?? 0) + o.expectedRows, withCheck);
  const scan = statements.scan(statements.any.selectFrom(o.table).select(['id', ...o.key]), 'id');
  await eachRow(scan(), (r) => {
    const id = r[0] as number;
    if (id > MAX_BULK_ID) throw idsTooHigh(o.table, id);
    const key = r.slice(1);
    keys.add(hashKey(key), id, withCheck ? checkKey(key) : 0);
  });
  return keys;
}

/** The highest id a bulk load can index (its key index keeps 32-bit references). */
export const MAX_BULK_ID = 0x7fffffff;

/**
 * A table whose ids have passed MAX_BULK_ID cannot be bulk-loaded (a sequence moved far on by hand, or
 * billions of rows; only a PostgreSQL sequence gets there): refused, with nothing imported — not a bug. A
 * small file is written row by row.
 */
export function idsTooHigh(table: string, id: number): RefusedError {
  return new RefusedError(
    `import: ${table} ids have reached ${id}, past the ${MAX_BULK_ID} a large file's bulk load can index; nothing was imported`,
    'import the file in parts of fewer than 1,000 rows: those are written row by row',
  );
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
