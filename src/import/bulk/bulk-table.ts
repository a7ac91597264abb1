/**
 * A large import into one table: its secondary indexes are dropped for the load and rebuilt at the end
 * (src/db/bulk.ts), rows go in through multi-row INSERTs prepared once, and the key that the dropped
 * unique index enforced is checked here instead, against every stored row and every row of the file.
 * The indexes are dropped just before the first INSERT: a file that inserts nothing (imported again,
 * or only updating stored rows) leaves them as they are, and costs no rebuild.
 */
import { sql as raw } from '#kysely';
import { loadCache, suspendIndexes, type RestoreIndexes } from '../../db/bulk.js';
import type Database from 'better-sqlite3';
import type { WriteBehind } from '../../db/write-behind.js';
import { storedRows, storedKeys, type StoredRows, type BulkLoad, type BulkTableOptions } from './load.js';
import { hashKey, type KeyIndex } from './key-index.js';
import { rowValues, type RowValues } from '../../lib/row-values.js';
import type { Row, RunResult, Statements } from '../statements.js';

/** Rows per INSERT statement: fewer calls into SQLite; beyond ≈ 50 rows the gain is gone. */
const ROWS_PER_STATEMENT = 50;

/** Statements between two write-behind syncs (≈ 50,000 contacts, 15 MB of pages). */
const SYNC_EVERY = 1024;

/** Files this large or larger (≈ 20,000 rows) may be bulk-loaded. */
export const BULK_MIN_BYTES = 2 << 20;

/**
 * Whether a file of `bytes` (≈ `rowBytes` a row) is worth a bulk load into a table of `storedRows`:
 * rebuilding the indexes costs per row of the whole table, keeping them costs per row of the file.
 */
export function worthBulk(bytes: number, rowBytes: number, storedRows: number): boolean {
  return bytes >= BULK_MIN_BYTES && (bytes / rowBytes) * 2 >= storedRows;
}

export class BulkTable implements BulkLoad {
  readonly notes: string[] = [];
  private readonly many: (params: readonly unknown[]) => RunResult;
  private readonly one: (params: readonly unknown[]) => RunResult;
  private readonly byId: (id: number) => Row | undefined;
  /** Stored rows by id: read ahead while the file lists them in their order, else one at a time. */
  private readonly stored: StoredRows;
  private readonly buffer: unknown[];
  private readonly values: RowValues;
  private readonly lines: number[] = [];
  private filled = 0;
  /** Rows inserted into SQLite so far, and the id of the first (ids are consecutive: AUTOINCREMENT, one writer). */
  private flushed = 0;
  private firstId = 0;
  /** The dropped indexes' rebuild, once the first INSERT dropped them. */
  private restore: RestoreIndexes | undefined;
  private statements = 0;

  private constructor(
    statements: Statements,
    private readonly sqlite: Database.Database,
    private readonly o: BulkTableOptions,
    private readonly keys: KeyIndex,
    private readonly writeBehind: WriteBehind | undefined,
  ) {
    const constants = Object.entries(o.constants ?? {}).map(([c, v]) => [c, raw.lit(v)]);
    const row = Object.fromEntries([...o.columns.map((c) => [c, null]), ...constants]);
    this.many = statements.run(statements.any.insertInto(o.table).values(Array.from({ length: ROWS_PER_STATEMENT }, () => row)));
    this.one = statements.run(statements.any.insertInto(o.table).values(row));
    this.byId = statements.byId(o.table);
    this.stored = storedRows(statements, o.table, this.byId);
    this.buffer = new Array(ROWS_PER_STATEMENT * o.columns.length);
    this.values = rowValues(o.columns);
  }

  /**
   * Loads the stored keys (inside the caller's transaction, on its connection `sqlite`). With a write-behind
   * (src/db/write-behind.ts), the pages written go to disk while the load goes on.
   */
  static async open(statements: Statements, sqlite: Database.Database, o: BulkTableOptions, writeBehind?: WriteBehind): Promise<BulkTable> {
    // bulkPlan never keeps them on SQLite: a statement there costs no round trip to save
    if (o.keepIndexes) throw new Error(`bulk import: SQLite's bulk load of ${o.table} suspends its indexes`);
    loadCache(sqlite);
    return new BulkTable(statements, sqlite, o, await storedKeys(statements, o), writeBehind);
  }

  /**
   * The stored row with this key (values in `key` order), or undefined. A row of this import that is
   * still in the buffer is written first, so the answer always comes from the database.
   */
  find(keyValues: readonly unknown[], hash = hashKey(keyValues)): Row | undefined {
    return this.keys.find(hash, (ref) => {
      const row = this.rowOf(ref);
      if (!row) throw new Error(`bulk import: ${this.o.table} row ${ref} is gone`);
      for (let k = 0; k < this.o.key.length; k++) if (row[this.o.key[k]!] !== keyValues[k]) return undefined;
      return row;
    });
  }

  mayHold(hash: number): boolean {
    return this.keys.has(hash);
  }

  /**
   * Queues a new row: its `columns` (absent = null); the caller has checked that its key is not taken
   * (`find`), and `hash` is its key's when the caller has it.
   */
  insert(line: number, rec: Row, hash = hashKey(this.o.key.map((k) => rec[k]))): void {
    this.values(rec, this.buffer, this.filled * this.o.columns.length);
    this.lines.push(line);
    const ordinal = this.flushed + this.filled;
    this.keys.add(hash, -(ordinal + 1));
    if (++this.filled === ROWS_PER_STATEMENT) this.runMany();
  }

  /** Inserts a new row at once (with the queued ones before it); its id. */
  insertNow(line: number, rec: Row): number {
    this.insert(line, rec);
    this.flush();
    return this.firstId + this.flushed - 1;
  }

  /** Writes the queued rows and rebuilds the dropped indexes (a broken UNIQUE index throws here). */
  async finish(): Promise<void> {
    this.flush();
    const restore = this.restore;
    this.restore = undefined;
    if (!restore) {
      this.notes.push(`${this.o.table}: no row inserted, its indexes left as they were (not dropped, nothing to rebuild)`);
      return;
    }
    const started = performance.now();
    // each index's pages are written while the next one is built
    await restore(() => this.writeBehind?.kick());
    await this.writeBehind?.settle();
    const rebuild = ((performance.now() - started) / 1000).toFixed(2);
    this.notes.push(`${this.o.table}: rows loaded in multi-row INSERTs, indexes rebuilt before the commit (rebuild ${rebuild} s)`);
  }

  /** Before the first INSERT: the table's indexes dropped (rebuilt by finish). */
  private suspend(): void {
    this.restore ??= suspendIndexes(this.sqlite, this.o.table);
  }

  private rowOf(ref: number): Row | undefined {
    // SQLite's statements answer at once: never a Promise here
    if (ref > 0) return this.stored.get(ref) as Row | undefined;
    const ordinal = -ref - 1;
    if (ordinal >= this.flushed) this.flush();
    return this.byId(this.firstId + ordinal);
  }

  private runMany(): void {
    this.suspend();
    const last = this.many(this.buffer).lastId;
    if (++this.statements % SYNC_EVERY === 0) this.writeBehind?.kick();
    this.inserted(last - ROWS_PER_STATEMENT + 1, ROWS_PER_STATEMENT);
  }

  /** Writes the queued rows one statement each (a partly filled buffer: at the end, or before a lookup). */
  private flush(): void {
    const n = this.filled;
    if (n === 0) return;
    this.suspend();
    const width = this.o.columns.length;
    let first = 0;
    for (let r = 0; r < n; r++) {
      const id = this.one(this.buffer.slice(r * width, (r + 1) * width)).lastId;
      if (r === 0) first = id;
    }
    this.inserted(first, n);
  }

  private inserted(first: number, n: number): void {
    if (this.flushed === 0) this.firstId = first;
    // ids of the ordinals must be consecutive; anything else is a bug, and rolls the import back
    if (first !== this.firstId + this.flushed) throw new Error(`bulk import: ${this.o.table} ids are not consecutive (${first})`);
    for (let r = 0; r < n; r++) this.o.onInserted(first + r, this.lines[r]!);
    this.o.batch.noteInsertRange(this.o.table, first, first + n - 1);
    this.flushed += n;
    this.filled = 0;
    this.lines.length = 0;
  }
}
