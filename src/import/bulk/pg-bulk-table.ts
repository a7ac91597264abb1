/**
 * A large import into one table on PostgreSQL: new rows stream into the table with COPY FROM STDIN
 * (src/db/pg-copy.ts) inside the import's transaction, its secondary indexes and foreign keys suspended
 * when the role may (src/db/pg-bulk.ts). COPY takes no row-by-row answers, so the table's unique key is
 * checked here, in memory, as SQLite's bulk load does (src/import/bulk/bulk-table.ts): every stored key and
 * every key of the file, under two independent 32-bit hashes. A key found under both is confirmed against
 * the row itself (a query: the COPY in progress ends first, the next row starts another), so the answers
 * are exact, and the rows that need the database (an existing contact updated, a duplicate within the
 * file) cost a round trip while new rows cost none.
 *
 * A new row's id is drawn by the table's identity default while COPY loads it, so it is not known as the
 * row is queued: rows are known by their place in the file's stream (ordinal). Ids drawn by one session
 * grow, so the ordinals' ids, when a later row needs one, are this batch's ids in order. Other sessions may
 * draw ids of the same sequence meanwhile: nothing here needs them consecutive (import_batch_inserts
 * records the lowest, highest and the count; undo goes by import_batch_id).
 */
import { sql } from 'kysely';
import { pgSuspendIndexes, type PgSuspended } from '../../db/pg-bulk.js';
import type { CopyWriter, PgSession } from '../../db/pg-copy.js';
import { copyText, type CopyRowFormat } from '../../db/pg-copy-text.js';
import { checkKey, hashKey, KeyIndex } from './key-index.js';
import type { BulkLoad, BulkTableOptions } from './load.js';
import { eachRow, type Row, type Statements } from '../statements.js';

/** Stored rows read at once when one is needed (see `stored`). */
const READ_AHEAD = 256;

export class PgBulkTable implements BulkLoad {
  readonly notes: string[] = [];
  private readonly keys: KeyIndex;
  /** The file's line of each row queued, by ordinal. */
  private lines = new Uint32Array(1024);
  private queued = 0;
  /** The ids of the first ordinals, once a later row needed one. */
  private readonly ids: number[] = [];
  /** A row's columns, then the constant columns' values (the import's id and timestamps) in COPY text. */
  private readonly rowFormat: CopyRowFormat;
  private readonly byId: (id: number) => Promise<Row | undefined>;
  /** Stored rows read ahead by id (a file updating stored rows usually lists them in the order they were stored). */
  private readonly from: (id: number, limit: number) => Promise<Row[]>;
  private readonly ahead = new Map<number, Row>();
  private recent: { id: number; row: Row } | undefined;
  private readonly copy: CopyWriter;
  private suspended: PgSuspended | undefined;
  /** When the rows began to flow (performance.now()), for --debug. */
  private started = 0;

  private constructor(
    private readonly statements: Statements<'later'>,
    session: PgSession,
    private readonly o: BulkTableOptions,
    existing: number,
  ) {
    this.keys = new KeyIndex(existing + o.expectedRows, true);
    const constants = Object.entries(o.constants ?? {});
    this.rowFormat = { columns: o.columns, suffix: constants.map(([, v]) => `\t${copyText(v)}`).join('') };
    this.byId = statements.byId(o.table);
    const any = statements.any;
    this.from = statements.all(any.selectFrom(o.table).selectAll().where('id', '>=', 0).orderBy('id').limit(READ_AHEAD));
    this.copy = session.copyInto(o.table, [...o.columns, ...constants.map(([c]) => c)]);
  }

  /** Loads the stored keys, then suspends the table's indexes (inside the caller's transaction). */
  static async open(statements: Statements<'later'>, session: PgSession, o: BulkTableOptions): Promise<PgBulkTable> {
    const counted = await statements.any
      .selectFrom(o.table)
      .select((eb: any) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const t = new PgBulkTable(statements, session, o, Number((counted as { n: number } | undefined)?.n ?? 0));
    const scan = statements.scan(statements.any.selectFrom(o.table).select(['id', ...o.key]));
    await eachRow(scan(), (r) => {
      const id = r[0] as number;
      if (id > 0x7fffffff) throw new Error(`bulk import: ${o.table} id ${id} is beyond the key index`);
      const key = r.slice(1);
      t.keys.add(hashKey(key), id, checkKey(key));
    });
    t.suspended = await pgSuspendIndexes(statements.any, o.table);
    t.started = performance.now();
    return t;
  }

  find(keyValues: readonly unknown[], hash = hashKey(keyValues)): Promise<Row | undefined> | undefined {
    // a new key's hash is nearly always free: the second hash only when it is not
    let check: number | undefined;
    const candidates: number[] = [];
    this.keys.find(hash, (ref, c) => void (c === (check ??= checkKey(keyValues)) && candidates.push(ref)));
    return candidates.length === 0 ? undefined : this.confirm(keyValues, candidates);
  }

  insert(line: number, rec: Row, hash?: number): Promise<void> | undefined {
    const { key } = this.o;
    const keyValues = key.map((k) => rec[k]);
    const ordinal = this.queued++;
    if (ordinal >= this.lines.length) {
      const grown = new Uint32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[ordinal] = line;
    this.keys.add(hash ?? hashKey(keyValues), -(ordinal + 1), checkKey(keyValues));
    return this.copy.row(rec, this.rowFormat);
  }

  async insertNow(line: number, rec: Row): Promise<number> {
    const ordinal = this.queued;
    await this.insert(line, rec);
    const id = await this.idOf(ordinal);
    this.o.onInserted(id, line);
    return id;
  }

  async finish(): Promise<void> {
    await this.copy.close();
    const loaded = performance.now();
    if (this.copy.loaded !== this.queued) throw new Error(`bulk import: COPY loaded ${this.copy.loaded} of ${this.queued} rows`);
    if (this.queued > 0) {
      const { rows } = await sql<{ first: number; last: number }>`
        select min(id) as first, max(id) as last from ${sql.table(this.o.table)}
        where import_batch_id = ${this.o.batch.id} and id > ${this.o.batch.maxBefore.get(this.o.table) ?? 0}`.execute(this.statements.db);
      this.o.batch.noteInserted(this.o.table, Number(rows[0]!.first), Number(rows[0]!.last), this.queued);
    }
    await this.suspended?.restore();
    const seconds = (from: number, to = performance.now()) => `${((to - from) / 1000).toFixed(2)} s`;
    this.notes.push(
      this.suspended?.suspended
        ? `${this.o.table}: rows loaded with COPY FROM STDIN, indexes and foreign keys rebuilt before the commit (rows ${seconds(this.started, loaded)}, rebuild ${seconds(loaded)})`
        : `${this.o.table}: rows loaded with COPY FROM STDIN into the indexed table (the role does not own it) (rows ${seconds(this.started, loaded)})`,
    );
    this.suspended = undefined;
  }

  /** The row among `refs` (stored ids, or this import's ordinals as −ordinal − 1) whose key is `keyValues`. */
  private async confirm(keyValues: readonly unknown[], refs: readonly number[]): Promise<Row | undefined> {
    for (const ref of refs) {
      const id = ref > 0 ? ref : await this.idOf(-ref - 1);
      const row = ref > 0 ? await this.stored(id) : await this.byId(id);
      if (!row) throw new Error(`bulk import: ${this.o.table} row ${id} is gone`);
      if (!this.o.key.every((k, i) => row[k] === keyValues[i])) continue;
      if (ref < 0) this.o.onInserted(id, this.lines[-ref - 1]!);
      return row;
    }
    return undefined;
  }

  /**
   * A stored row, read with the next ones by id: one round trip for READ_AHEAD rows of a file that
   * updates stored rows in their order, one a row otherwise. A row read ahead is used for one row of the
   * file (its lookups: the importer asks twice); a later row with the same key is a duplicate (the
   * importer knows it by the id) or reads it again.
   */
  private async stored(id: number): Promise<Row | undefined> {
    if (this.recent?.id === id) return this.recent.row;
    let row = this.ahead.get(id);
    if (!row) {
      this.ahead.clear();
      for (const r of await this.from(id, READ_AHEAD)) this.ahead.set(Number(r.id), r);
      row = this.ahead.get(id);
    }
    this.ahead.delete(id);
    this.recent = row && { id, row };
    return row;
  }

  /** The id of the row queued at `ordinal`: this batch's new ids in order (the COPY ends first). */
  private async idOf(ordinal: number): Promise<number> {
    if (ordinal < this.ids.length) return this.ids[ordinal]!;
    const after = this.ids.length > 0 ? this.ids[this.ids.length - 1]! : (this.o.batch.maxBefore.get(this.o.table) ?? 0);
    const { rows } = await sql<{ id: number }>`
      select id from ${sql.table(this.o.table)} where import_batch_id = ${this.o.batch.id} and id > ${after} order by id`.execute(
      this.statements.db,
    );
    for (const r of rows) this.ids.push(Number(r.id));
    if (ordinal >= this.ids.length) throw new Error(`bulk import: ${this.o.table} row ${ordinal + 1} of this import is not there`);
    return this.ids[ordinal]!;
  }
}
