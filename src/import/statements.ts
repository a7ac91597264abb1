/**
 * The statements an import runs, behind one interface per database. A kysely round trip per row would
 * cost more than the whole import's budget, so each statement is built once with kysely (portable SQL,
 * typed by table name), compiled with placeholder values, and run per row through the database's own
 * driver with the row's parameters, in the order kysely placed them.
 *
 * SQLite (better-sqlite3, src/import/sqlite-statements.ts) answers at once: `Statements<'now'>`. A
 * PostgreSQL implementation (node-postgres is asynchronous only) answers with Promises:
 * `Statements<'later'>` (src/import/pg-statements.ts). The importers are written once, as steps
 * (`Step`, below) that go on at once when an answer is a value and wait only when it is a Promise; the
 * row loop awaits a row's result only when it is a Promise (src/import/row-loop.ts). So the SQLite path
 * runs without a single await per row.
 */
import { sql, type Compilable, type Kysely, type SelectQueryBuilder } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { BulkLoad, BulkTableOptions } from './bulk/load.js';

export type Row = Record<string, unknown>;

/** When a statement's answer is there: at once (SQLite), or as a Promise (PostgreSQL). */
export type Timing = 'now' | 'later';
export type Answer<T extends Timing, V> = T extends 'later' ? Promise<V> : V;

export interface RunResult {
  changes: number;
  /** The id of the last row inserted (an INSERT into a table with an integer id). */
  lastId: number;
}

export interface Statements<T extends Timing = 'now'> {
  /** Which of the two: SQLite's answers come at once, PostgreSQL's later. */
  readonly timing: T;
  /** The transaction, for statements run once (kysely, asynchronous on every database). */
  readonly db: Kysely<DB>;
  /** The same, untyped, for table names chosen at run time. */
  readonly any: Kysely<any>;
  /** `get(...params)`: the first row or undefined. */
  getter(query: Compilable): (...params: unknown[]) => Answer<T, Row | undefined>;
  /** Every row. */
  all(query: Compilable): (...params: unknown[]) => Answer<T, Row[]>;
  /**
   * Every row as an array of its columns' values, in pages as they come (a table preloaded into
   * memory); `id` names the table's integer id, the first column selected.
   */
  scan(
    query: SelectQueryBuilder<any, any, object>,
    id: string,
  ): () => T extends 'later' ? AsyncIterable<unknown[][]> : Iterable<unknown[][]>;
  /** A statement that writes. */
  run(query: Compilable): (params: readonly unknown[]) => Answer<T, RunResult>;
  /** INSERT of these columns; the new row's id. */
  inserter(table: string, columns: readonly string[]): (values: readonly unknown[]) => Answer<T, number>;
  /** INSERT … ON CONFLICT DO NOTHING of these columns; the new row's id, undefined when the key exists. */
  insertIfNew(table: string, columns: readonly string[]): (values: readonly unknown[]) => Answer<T, number | undefined>;
  /** UPDATE of these columns by id. */
  updater(table: string, columns: readonly string[]): (id: number, values: readonly unknown[]) => Answer<T, void>;
  /** A whole row by id. */
  byId(table: string): (id: number) => Answer<T, Row | undefined>;
  /** Whether the connection enforces foreign keys (a bulk load may turn it off: src/db/bulk.ts). */
  foreignKeysEnforced(): Answer<T, boolean>;
  /** The ids that are not the id of any row of `table` (empty: every reference holds). */
  missingIds(table: string, ids: Iterable<number>): Answer<T, number[]>;
  /**
   * A bulk load into one table (src/import/bulk/load.ts), inside the transaction: absent where the
   * database cannot (PostgreSQL statements without a session of their own, as `import undo` opens them).
   */
  readonly openBulk?: (o: BulkTableOptions) => Promise<BulkLoad>;
}

/** The transaction's state, to go back to (`rollback`: the savepoint stays) or keep (`release`). */
export interface Savepoint {
  rollback(): Promise<void>;
  release(): Promise<void>;
}

/** A savepoint (the same SQL on SQLite and PostgreSQL); `name` must be an identifier. */
export async function savepoint(db: Kysely<DB>, name: string): Promise<Savepoint> {
  const id = sql.id(name);
  await sql`savepoint ${id}`.execute(db);
  return {
    rollback: async () => void (await sql`rollback to savepoint ${id}`.execute(db)),
    release: async () => void (await sql`release savepoint ${id}`.execute(db)),
  };
}

/** A row's result may be a Promise (a database that answers later); test for it only where it may be. */
export function isPromise<V>(v: V | Promise<V>): v is Promise<V> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** The statements of either database (what the importers are written against). */
export type AnyStatements = Statements<'now'> | Statements<'later'>;

/** An answer of either database. */
export type Maybe<V> = V | Promise<V>;

/**
 * Importer code that may wait for answers, written once for both databases: a generator that hands out
 * the Promises it must wait for (`yield* wait(answer)`) and returns its result. `run` steps it through:
 * synchronously to the end while every answer is a value (SQLite), resuming after each Promise otherwise.
 */
export type Step<R> = Generator<Promise<unknown>, R, unknown>;

/** `yield* wait(answer)`: the answer's value, waiting only when it is a Promise. */
export function* wait<V>(answer: Maybe<V>): Step<V> {
  if (isPromise(answer)) return (yield answer) as V;
  return answer;
}

/** Runs steps: their result at once when nothing had to wait, else a Promise of it. */
export function run<R>(steps: Step<R>): Maybe<R> {
  return resume(steps, steps.next());
}

function resume<R>(steps: Step<R>, at: IteratorResult<Promise<unknown>, R>): Maybe<R> {
  if (at.done) return at.value;
  return at.value.then(
    (v) => resume(steps, steps.next(v)),
    (e: unknown) => resume(steps, steps.throw(e)),
  );
}

/** Every row of a `scan`, without a Promise per row where they come at once. */
export async function eachRow(pages: Iterable<unknown[][]> | AsyncIterable<unknown[][]>, fn: (row: unknown[]) => void): Promise<void> {
  if (Symbol.asyncIterator in pages) {
    for await (const page of pages) for (const r of page) fn(r);
  } else for (const page of pages) for (const r of page) fn(r);
}
