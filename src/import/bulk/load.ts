/**
 * A bulk load into one table, whichever database (chosen once, by the statements: SQLite's BulkTable in
 * src/import/bulk/bulk-table.ts, PostgreSQL's COPY in src/import/bulk/pg-bulk-table.ts). The importer asks
 * `find` before `insert`: the table's unique key is checked in memory while its indexes are suspended.
 */
import { RefusedError } from '../../errors.js';
import type { BatchRecorder, BatchTable } from '../batch.js';
import { eachRow, isPromise, type Maybe, type Row, type Statements, type Timing } from '../statements.js';
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

/** Stored rows read at once when one is needed (StoredRows): at first, and at most. */
const READ_AHEAD = 256;
const READ_AHEAD_MAX = 1024;

/**
 * A bulk load's stored rows by id, for `find`'s confirmation of a key. A file that updates or repeats stored
 * rows usually lists them in the order they were stored: a row is read with the next ones by id (`from`: one
 * statement, and on PostgreSQL one round trip, for them all; twice as many the next time while the file uses
 * every one, up to READ_AHEAD_MAX), each used for one row of the file (its lookups: the importer asks twice,
 * `recent`); a later row with the same key is a duplicate (the importer knows it by the id) or reads it again.
 * A row out of that order is read alone (`one`): a file in another order must not read READ_AHEAD rows a row
 * (26,000 contacts in reverse order took ≈ 20 s on PostgreSQL that way).
 */
export class StoredRows {
  private readonly ahead = new Map<number, Row>();
  private recent: { id: number; row: Row } | undefined;
  /** the id of the row used last (the next rows of the file are after it, when it is in order) */
  private last = -1;
  /** rows to read ahead next; rows of the last read ahead, and how many of them were used */
  private size = READ_AHEAD;
  private read = 0;
  private used = 0;

  constructor(
    private readonly from: (id: number, limit: number) => Maybe<Row[]>,
    private readonly one: (id: number) => Maybe<Row | undefined>,
  ) {}

  get(id: number): Maybe<Row | undefined> {
    if (this.recent?.id === id) return this.recent.row;
    const row = this.ahead.get(id);
    if (row) {
      this.used++;
      return this.take(id, row);
    }
    this.ahead.clear();
    if (!(id > this.last && id - this.last <= IN_ORDER)) {
      const alone = this.one(id);
      return isPromise(alone) ? alone.then((r) => this.take(id, r)) : this.take(id, alone);
    }
    this.size = this.read > 0 && this.used + 1 >= this.read ? Math.min(2 * this.size, READ_AHEAD_MAX) : READ_AHEAD;
    const rows = this.from(id, this.size);
    return isPromise(rows) ? rows.then((r) => this.fill(id, r)) : this.fill(id, rows);
  }

  private fill(id: number, rows: readonly Row[]): Row | undefined {
    for (const r of rows) this.ahead.set(Number(r.id), r);
    this.read = rows.length;
    this.used = 1;
    return this.take(id, this.ahead.get(id));
  }

  private take(id: number, row: Row | undefined): Row | undefined {
    this.ahead.delete(id);
    this.recent = row && { id, row };
    this.last = id;
    return row;
  }
}

/**
 * StoredRows of `table`, through the import's statements (the query prepared once); `byId` is the bulk table's
 * own statement for one row (statements.byId), shared rather than prepared twice.
 */
export function storedRows<T extends Timing>(
  statements: Statements<T>,
  table: string,
  byId: (id: number) => Maybe<Row | undefined>,
): StoredRows {
  // the id and the limit are placeholders: StoredRows gives them
  const from = statements.all(statements.any.selectFrom(table).selectAll().where('id', '>=', 0).orderBy('id').limit(1));
  return new StoredRows(from, byId);
}

/** A row at most this far (by id) after the last one used is taken as the file going on in the stored order. */
const IN_ORDER = 16;
