/**
 * What every entity importer shares: the insert-or-update of one table row with duplicate detection,
 * --on-existing, unchanged detection and before-images; cached reference lookups.
 */
import type { BatchTable } from '../batch.js';
import type { BulkLoad } from '../bulk/load.js';
import { bulkPlan, readsWhole, type BulkPlan } from '../bulk/plan.js';
import { hashKey } from '../bulk/key-index.js';
import { foldKey } from '../../lib/keys.js';
import type { RowProblem } from '../errors.js';
import { eachRow, isPromise, wait, type AnyStatements, type Maybe, type Row, type Step } from '../statements.js';
import type { FileInfo, ImportContext, RowIn, RowOutcome } from './types.js';

export { checked, coerceRow, givenText, requireKeys, stored } from './coerce.js';

export interface KeyLabel {
  field: string;
  value: string;
  /** e.g. "same account_external_id + email" */
  what: string;
}

/**
 * Which rows of a table this import touched, and on which line: 4 bytes per row in typed arrays, not a Map,
 * in pages of PAGE ids made as ids are met. Ids need not be dense: on PostgreSQL a sequence never gives
 * back the values a rolled-back or failed transaction drew, so new ids may start far above the table's
 * largest (sized from the old maximum, a single new row after such a gap once took an array of gigabytes).
 */
export class IdLines {
  private readonly pages = new Map<number, Uint32Array>();
  /** The page met last (ids come in runs: new ids one after another, stored ones in file order). */
  private lastIndex = -1;
  private last: Uint32Array | undefined;

  get(id: number): number | undefined {
    const v = this.page(id, false)?.[id % PAGE];
    return v ? v : undefined;
  }

  set(id: number, line: number): void {
    this.page(id, true)![id % PAGE] = line;
  }

  private page(id: number, make: boolean): Uint32Array | undefined {
    const index = Math.floor(id / PAGE);
    if (index === this.lastIndex) return this.last;
    let page = this.pages.get(index);
    if (!page) {
      if (!make) return undefined;
      this.pages.set(index, (page = new Uint32Array(PAGE)));
    }
    this.lastIndex = index;
    return (this.last = page);
  }
}

/** Ids a page of IdLines holds (16 KB). */
const PAGE = 4096;

/** Insert-or-update of rows of one table; knows which rows this import touched (id → line). */
export class Upserter {
  readonly touched: IdLines;
  private readonly insert: (values: readonly unknown[]) => Maybe<number>;
  private insertNew: ((values: readonly unknown[]) => Maybe<number | undefined>) | undefined;
  private readonly update: (id: number, values: readonly unknown[]) => Maybe<void>;
  private bulk: BulkLoad | undefined;
  private bulkKey: readonly string[] = [];

  constructor(
    private readonly ctx: ImportContext,
    readonly table: BatchTable,
    readonly columns: readonly string[],
    private readonly timestamps: { created: boolean; updated: boolean } = { created: true, updated: true },
  ) {
    this.touched = new IdLines();
    const ins = this.insertColumns();
    this.insert = ctx.statements.inserter(table, ins);
    this.update = ctx.statements.updater(table, [...columns, ...(timestamps.updated ? ['updated_at'] : [])]);
  }

  /** A new row carries the batch's id (undo finds the rows it inserted by it). */
  private insertColumns(): string[] {
    const t = this.timestamps;
    return [...this.columns, 'import_batch_id', ...(t.created ? ['created_at'] : []), ...(t.updated ? ['updated_at'] : [])];
  }

  private insertValues(rec: Row): unknown[] {
    const values = this.columns.map((c) => rec[c] ?? null);
    values.push(this.ctx.batch.id);
    if (this.timestamps.created) values.push(this.ctx.op.now);
    if (this.timestamps.updated) values.push(this.ctx.op.now);
    return values;
  }

  /** Whether this database can bulk-load (`startBulk`). */
  get canBulk(): boolean {
    return this.ctx.statements.openBulk !== undefined;
  }

  /**
   * Bulk mode for a file large next to the table (src/import/bulk/load.ts, plan.ts): the table's indexes are
   * suspended until `finish` (or, `plan` 'keep', left in place), and `key` (the unique index's columns) is
   * checked in memory instead of a query a row.
   */
  async startBulk(key: readonly string[], expectedRows: number, plan: BulkPlan): Promise<void> {
    const open = this.ctx.statements.openBulk;
    if (!open) throw new Error('bulk import: this database cannot bulk-load');
    this.bulkKey = key;
    const now = this.ctx.op.now;
    this.bulk = await open({
      table: this.table,
      columns: this.columns,
      constants: {
        import_batch_id: this.ctx.batch.id,
        ...(this.timestamps.created ? { created_at: now } : {}),
        ...(this.timestamps.updated ? { updated_at: now } : {}),
      },
      key,
      expectedRows,
      batch: this.ctx.batch,
      onInserted: (id, line) => this.touched.set(id, line),
      keepIndexes: plan === 'keep',
    });
  }

  get bulkMode(): boolean {
    return this.bulk !== undefined;
  }

  /** Bulk mode: the stored row with this key (values in the order given to startBulk). */
  findByKey(keyValues: readonly unknown[], hash?: number): Maybe<Row | undefined> {
    return this.bulk!.find(keyValues, hash);
  }

  /** Writes what bulk mode holds back and rebuilds the indexes; nothing to do otherwise. How it ran, for --debug. */
  async finish(): Promise<readonly string[]> {
    const bulk = this.bulk;
    this.bulk = undefined;
    await bulk?.finish();
    return bulk?.notes ?? [];
  }

  /**
   * The fast path for a row that is probably new: INSERT … ON CONFLICT DO NOTHING, so the unique index
   * is probed once instead of a lookup and then an insert (in bulk mode, the in-memory key check and a
   * queued multi-row insert; `keyHash`: hashKey of the key, when the caller has it). False: the key
   * exists (take the slow path).
   */
  tryInsert(line: number, rec: Row, keyHash?: number): Maybe<boolean> {
    const bulk = this.bulk;
    if (bulk) {
      const hash = keyHash ?? hashKey(this.bulkKeyOf(rec));
      const insert = (): Maybe<boolean> => {
        const queued = bulk.insert(line, rec, hash);
        return isPromise(queued) ? queued.then(() => true) : true;
      };
      // a key whose hash no row has is new (nearly every row of a large file): no key list, no lookup
      if (!bulk.mayHold(hash)) return insert();
      const found = bulk.find(this.bulkKeyOf(rec), hash);
      const afterFind = (row: Row | undefined) => (row === undefined ? insert() : false);
      return isPromise(found) ? found.then(afterFind) : afterFind(found);
    }
    this.insertNew ??= this.ctx.statements.insertIfNew(this.table, this.insertColumns());
    const id = this.insertNew(this.insertValues(rec));
    return isPromise(id) ? id.then((v) => this.inserted(line, v)) : this.inserted(line, id);
  }

  /**
   * Bulk mode: queues a new row whose key the caller found free (`findByKey`), when nothing needs its id
   * at once (SQLite then writes it with others in a multi-row INSERT).
   */
  *queue(line: number, rec: Row): Step<'inserted'> {
    yield* wait(this.bulk!.insert(line, rec));
    return 'inserted';
  }

  /** The row's values of the bulk load's unique key, in its order. */
  private bulkKeyOf(rec: Row): unknown[] {
    return this.bulkKey.map((c) => rec[c]);
  }

  private inserted(line: number, id: number | undefined): boolean {
    if (id === undefined) return false;
    this.touched.set(id, line);
    this.ctx.batch.noteInsert(this.table, id);
    return true;
  }

  /**
   * Before validating a row with this key: a second row of the file with the same key is an error naming
   * the first; an existing row with --on-existing skip is left alone, with error refused. `writtenBy`: the
   * line that wrote `existing`, where the caller knows it and the Upserter may not yet (a queued row has no id).
   */
  precheck(existing: Row | undefined, key: KeyLabel, writtenBy?: number): RowProblem[] | 'skip' | undefined {
    if (!existing) return undefined;
    const first = writtenBy ?? this.touched.get(existing.id as number);
    if (first !== undefined) return [{ field: key.field, value: key.value, rule: `duplicates line ${first} (${key.what})` }];
    if (this.ctx.onExisting === 'skip') return 'skip';
    if (this.ctx.onExisting === 'error') {
      return [{ field: key.field, value: key.value, rule: 'already exists (--on-existing error)' }];
    }
    return undefined;
  }

  skip(existing: Row, line: number): RowOutcome {
    this.touched.set(existing.id as number, line);
    return 'unchanged';
  }

  /** True when a given (non-undefined) value differs from the stored one. */
  differs(existing: Row, rec: Row): boolean {
    for (const c of this.columns) {
      const v = rec[c];
      if (v !== undefined && v !== existing[c]) return true;
    }
    return false;
  }

  /**
   * Inserts (rec must hold every NOT NULL column) or updates the given columns; a row equal to the
   * stored one is unchanged. `extraChanged`: something outside this table changed (custom fields).
   */
  *write(
    line: number,
    existing: Row | undefined,
    rec: Row,
    extraChanged = false,
    before?: () => Row,
  ): Step<{ outcome: RowOutcome; id: number }> {
    const now = this.ctx.op.now;
    if (!existing) {
      if (this.bulk) return { outcome: 'inserted', id: yield* wait(this.bulk.insertNow(line, rec)) };
      const id = yield* wait(this.insert(this.insertValues(rec)));
      this.touched.set(id, line);
      this.ctx.batch.noteInsert(this.table, id);
      return { outcome: 'inserted', id };
    }
    const id = existing.id as number;
    this.touched.set(id, line);
    if (!extraChanged && !this.differs(existing, rec)) return { outcome: 'unchanged', id };
    yield* wait(this.ctx.batch.beforeUpdate(this.table, before ? before() : existing));
    const values = this.columns.map((c) => (rec[c] !== undefined ? rec[c] : existing[c]));
    if (this.timestamps.updated) values.push(now);
    yield* wait(this.update(id, values));
    return { outcome: 'updated', id };
  }
}

/**
 * A row's subscription_external_id: the subscription's id when it exists and belongs to the row's account
 * (named by its external id when the row gives one), else a problem of the row.
 */
export function* subscriptionOfAccount(
  find: (key: string) => Maybe<Row | undefined>,
  key: string,
  text: RowIn['text'],
  account: { id?: unknown; external_id?: unknown } | undefined,
  problems: RowProblem[],
): Step<number | undefined> {
  const sub = yield* wait(find(key));
  const refuse = (rule: string) => problems.push({ field: 'subscription_external_id', value: text.subscription_external_id, rule });
  if (!sub) refuse('no subscription with this external_id');
  else if (account && sub.account_id !== account.id)
    refuse(
      account.external_id ? `is not a subscription of account ${String(account.external_id)}` : 'is a subscription of another account',
    );
  else return sub.id as number;
  return undefined;
}

/** An importer's statements, their database and its Upserter for `table`: how an entity's open() starts. */
export function upserting(
  ctx: ImportContext,
  table: BatchTable,
  columns: readonly string[],
  options?: ConstructorParameters<typeof Upserter>[3],
) {
  const { statements } = ctx;
  return { statements, db: statements.db, up: new Upserter(ctx, table, columns, options) };
}

/**
 * A cache of positive lookups by a key column (a reference found once stays found within the import),
 * by the key as written: a file writes a key the same way on every row, so hits skip folding (a new
 * string per row); another spelling of the same key costs one more lookup.
 */
export function cached<V>(lookup: (folded: string) => Maybe<V | undefined>): (key: string) => Maybe<V | undefined> {
  const cache = new Map<string, V>();
  const keep = (key: string, v: V | undefined): V | undefined => {
    if (v !== undefined) cache.set(key, v);
    return v;
  };
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const v = lookup(foldKey(key));
    return isPromise(v) ? v.then((found) => keep(key, found)) : keep(key, v);
  };
}

/**
 * Starts `up`'s bulk load when the file is large beside its table (src/import/bulk/plan.ts; `rowBytes`: a
 * row's size, guessed high so that small files stay row by row), its unique `key` then checked in memory.
 * Returns whether a referenced table is read whole (a bulk load's references: readsWhole). `roundTripsOnly`:
 * only where a statement is a round trip (PostgreSQL) — for an importer whose rows are as fast one by one
 * in-process (SQLite) as bulk-loaded.
 */
export async function bulkWhenLarge(
  ctx: ImportContext,
  up: Upserter,
  file: FileInfo,
  rowBytes: number,
  key: readonly string[],
  roundTripsOnly = false,
): Promise<(table: BatchTable) => boolean> {
  const { statements, batch } = ctx;
  const rows = file.bytes / rowBytes;
  const may = file.bulk && up.canBulk && !(roundTripsOnly && statements.timing === 'now');
  const plan = may ? bulkPlan(statements.timing, file.bytes, rowBytes, batch.maxBefore.get(up.table) ?? 0) : undefined;
  if (plan) await up.startBulk(key, rows, plan);
  return (table) => plan !== undefined && readsWhole(statements.timing, rows, batch.maxBefore.get(table) ?? 0);
}

/**
 * The rows of a whole table by its stored key column, read in one scan (a bulk load's references, where a
 * query a key would cost a round trip and end the COPY in progress on PostgreSQL): the lookup of a folded key.
 */
export async function keyedRows(
  statements: AnyStatements,
  table: string,
  columns: readonly string[],
  keyColumn: string,
): Promise<(folded: string) => Row | undefined> {
  const rows = new Map<string, Row>();
  const names = ['id', ...columns.filter((c) => c !== 'id')];
  const scan = statements.scan(statements.any.selectFrom(table).select([...names, keyColumn]), 'id');
  await eachRow(scan(), (r) => {
    const row: Row = {};
    names.forEach((c, i) => (row[c] = r[i]));
    rows.set(r[names.length] as string, row);
  });
  return (folded) => rows.get(folded);
}

/** A lookup by id kept for the import (the few plans and products a file names on many rows): one query an id. */
export function remembered<V>(lookup: (id: number) => Maybe<V>): (id: number) => Maybe<V> {
  const known = new Map<number, V>();
  return (id) => {
    if (known.has(id)) return known.get(id)!;
    const v = lookup(id);
    const keep = (x: V): V => {
      known.set(id, x);
      return x;
    };
    return isPromise(v) ? v.then(keep) : keep(v);
  };
}

/** Rows kept read by a RowsByParent: beyond, the parents read first go (memory stays bounded). */
const ROWS_KEPT = 100_000;

/**
 * Rows of a parent (an account's contacts, a subscription's seats) by a key, read whole the first time a row
 * of the file names the parent: one query a parent instead of one a row — a round trip each on PostgreSQL,
 * and a file names the same school on many rows. `read(parent, ...more)` returns the parent's rows (ordered:
 * the first row of a key is the one kept, as a lookup of one row would answer). A row this import adds is
 * noted (`add`), so that a later line with its key meets it. At most ROWS_KEPT rows are kept; beyond, the
 * parents read first are let go until half that is kept (what they held is read again when named again:
 * the import's own rows included).
 */
export class RowsByParent<K> {
  private readonly cache = new Map<number, Map<K, Row>>();
  private kept = 0;

  constructor(
    private readonly read: (parent: number, ...more: unknown[]) => Maybe<Row[]>,
    private readonly keyOf: (r: Row) => K,
    private readonly most = ROWS_KEPT,
  ) {}

  /** The parent's rows by key (`more`: the query's other parameters, the same for every call with this parent). */
  of(parent: number, ...more: unknown[]): Maybe<Map<K, Row>> {
    const hit = this.cache.get(parent);
    if (hit) return hit;
    const rows = this.read(parent, ...more);
    return isPromise(rows) ? rows.then((r) => this.keep(parent, r)) : this.keep(parent, rows);
  }

  /** The parent's rows by key when they are read already (nothing is read). */
  peek(parent: number): Map<K, Row> | undefined {
    return this.cache.get(parent);
  }

  /** A row added under a parent read before. */
  add(parent: number, key: K, row: Row): void {
    const rows = this.cache.get(parent);
    if (rows && !rows.has(key)) {
      rows.set(key, row);
      this.kept++;
    }
  }

  private keep(parent: number, rows: readonly Row[]): Map<K, Row> {
    const byKey = new Map<K, Row>();
    for (const r of rows) {
      const k = this.keyOf(r);
      if (!byKey.has(k)) byKey.set(k, r);
    }
    // over the bound, the parents read first go (half of what is kept): a file that names parents in
    // no order keeps half its hits, where starting again kept none of the recent ones
    if (this.kept + byKey.size > this.most)
      for (const [p, held] of this.cache) {
        if (this.kept <= this.most / 2) break;
        this.cache.delete(p);
        this.kept -= held.size;
      }
    this.cache.set(parent, byKey);
    this.kept += byKey.size;
    return byKey;
  }
}
