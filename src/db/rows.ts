/**
 * Reading many rows without holding them: SQLite steps a prepared statement (synchronously, no
 * per-row Promise); PostgreSQL reads through a server-side cursor (pg-cursor) a few thousand rows at a
 * time, or, for rows as arrays on a database's own pool, streams the one query to its end with the socket
 * paused while the caller is behind (src/db/pg-stream.ts). `for await` takes either.
 */
import type { CompiledQuery, Kysely, SelectQueryBuilder } from '#kysely';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { handleOf, type DbHandle } from './connection.js';
import type { DB } from './schema/index.js';
import { batches } from '../lib/batches.js';

/** What a kysely SELECT offers for this (any SelectQueryBuilder). */
export interface Streamable<R> {
  compile(): CompiledQuery;
  stream(chunkSize?: number): AsyncIterableIterator<R>;
}

export function streamRows<R>(h: DbHandle, query: Streamable<R>): Iterable<R> | AsyncIterable<R> {
  if (h.sqlite) {
    const compiled = query.compile();
    return h.sqlite.prepare(compiled.sql).iterate(...compiled.parameters) as Iterable<R>;
  }
  return query.stream(1000);
}

/**
 * The rows of a query in batches, for `for await (const batch of …) for (const r of batch)`: on a SQLite
 * database opened by openTarget (or its write transaction, src/db/tx.ts) the statement is stepped
 * synchronously, SQLITE_BATCH rows a batch (one Promise per batch, not three per row as kysely's stream
 * gives: a third of a million rows cost ≈ 0.4 s less); the loop's body must not query the same connection
 * meanwhile (better-sqlite3 refuses: the connection is busy). Else (PostgreSQL) kysely's stream, its
 * cursor fetching `cursorRows` at a time.
 */
export function rowBatches<R>(db: Kysely<DB>, query: Streamable<R>, cursorRows = 5000): Iterable<R[]> | AsyncIterable<R[]> {
  const sqlite = handleOf(db)?.sqlite;
  if (sqlite) {
    const compiled = query.compile();
    return batches(sqlite.prepare(compiled.sql).iterate(...compiled.parameters) as Iterable<R>, SQLITE_BATCH);
  }
  return pgChunks<R>(db, query, cursorRows);
}

/**
 * A list's records a batch at a time (rowBatches' rows, each made a record by `record`; `keep`: a filter SQL
 * cannot say, given the record and its row): a list command writes each batch as it comes (Session.listStream).
 */
export async function* recordBatches<R, T>(
  batches: Iterable<R[]> | AsyncIterable<R[]>,
  record: (row: R) => T,
  keep?: (record: T, row: R) => boolean,
): AsyncGenerator<T[]> {
  for await (const batch of batches) {
    const out: T[] = [];
    for (const row of batch) {
      const r = record(row);
      if (!keep || keep(r, row)) out.push(r);
    }
    yield out;
  }
}

/** Every record of the batches in one list (a service's whole list, where a caller wants it whole). */
export async function collect<T>(batches: Iterable<T[]> | AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) for (const r of batch) out.push(r);
  return out;
}

/**
 * rowBatches' rows as arrays of their columns in select order (streamArrays' rows, in batches): on
 * PostgreSQL, through a database's own pool, the one query streamed to its end (src/db/pg-stream.ts).
 */
export function arrayBatches<R extends readonly unknown[]>(
  db: Kysely<DB>,
  query: Streamable<object>,
  cursorRows = 5000,
): Iterable<R[]> | AsyncIterable<R[]> {
  const h = handleOf(db);
  if (h?.sqlite) return batches(rawStatement<R>(h.sqlite, query).rows, SQLITE_BATCH);
  // a database's own pool (not a transaction's connection, which only kysely has): pg's array rows
  if (h?.pool) return pgArrays<R>(h.pool, query.compile(), cursorRows);
  return mapChunks(pgChunks<object>(db, query, cursorRows), (r) => Object.values(r) as unknown as R);
}

async function* pgArrays<R>(pool: pg.Pool, compiled: CompiledQuery, cursorRows: number): AsyncGenerator<R[]> {
  // loaded only here: a SQLite command never loads pg
  const { arrayChunks } = await import('./postgres.js');
  yield* arrayChunks<R>(pool, compiled.sql, compiled.parameters, cursorRows);
}

/**
 * arrayBatches of `query`, whose first column is `id` (its table's integer primary key, as the query names
 * it: `id`, `s.id`), for a scan of a whole table (or most of it). On SQLite a page at a time: the query
 * with `id > ?` and the order by id added (a search of the rowid, no sort), each page's rows read at once
 * (`all()`): stepping a statement through better-sqlite3's iterator costs ≈ 1 µs a row more (100,000
 * accounts: ≈ 0.1 s). A page holds a few thousand rows, so memory stays flat. On PostgreSQL arrayBatches.
 */
export function arrayPages<R extends readonly [number, ...unknown[]]>(
  db: Kysely<DB>,
  query: SelectQueryBuilder<any, any, object>,
  id: string,
  page = SQLITE_PAGE,
): Iterable<R[]> | AsyncIterable<R[]> {
  const sqlite = handleOf(db)?.sqlite;
  return sqlite ? sqlitePages<R>(sqlite, query, id, page) : arrayBatches<R>(db, query);
}

/** arrayPages on a SQLite connection (the import's statements hold theirs). */
export function* sqlitePages<R extends readonly [number, ...unknown[]]>(
  sqlite: NonNullable<DbHandle['sqlite']>,
  query: SelectQueryBuilder<any, any, object>,
  id: string,
  page = SQLITE_PAGE,
): Generator<R[]> {
  let statement: Database.Statement<unknown[]> | undefined;
  for (let last = Number.MIN_SAFE_INTEGER; ;) {
    const compiled = query.where(id, '>', last).orderBy(id).limit(page).compile();
    // the same SQL text every page: prepared once
    statement ??= sqlite.prepare(compiled.sql).raw(true);
    const rows = statement.all(...compiled.parameters) as R[];
    if (rows.length > 0) yield rows;
    if (rows.length < page) return;
    last = rows[rows.length - 1]![0];
  }
}

/** The rows of a page of arrayPages on SQLite (each page's rows die together, after their page). */
const SQLITE_PAGE = 4096;

/**
 * A PostgreSQL cursor's rows a chunk at a time, the next chunk asked for as soon as one arrives: the server
 * reads it while Node works on this one (without, each waited for the other at every chunk: ≈ 1 s of a
 * `remind` preview's 5.5 s over the benchmark's data went by idle).
 */
async function* pgChunks<R>(db: Kysely<DB>, query: Streamable<R>, cursorRows: number): AsyncGenerator<R[]> {
  const chunks = db.getExecutor().stream<R>(query.compile(), cursorRows);
  let next: Promise<IteratorResult<{ rows: R[] }>> | undefined = chunks.next();
  try {
    for (;;) {
      const chunk = await next;
      next = undefined;
      if (chunk.done) return;
      next = chunks.next();
      yield chunk.value.rows;
    }
  } finally {
    // left early: the chunk asked for is waited for (its error too) before the cursor is closed
    if (next) await next.catch(() => undefined);
    await chunks.return?.(undefined);
  }
}

async function* mapChunks<T, R>(chunks: AsyncIterable<T[]>, f: (t: T) => R): AsyncGenerator<R[]> {
  for await (const chunk of chunks) yield chunk.map(f);
}

/** Small: a batch's rows die young (a batch of thousands outlives a scavenge and is promoted to the old space). */
const SQLITE_BATCH = 256;

/**
 * The same rows as arrays of their columns in select order: on SQLite better-sqlite3's raw mode (no
 * object per row: for eight columns an object costs ≈ 1 µs more, a second of a million-row scan), on
 * PostgreSQL the cursor's objects turned into arrays.
 */
export function streamArrays<R extends readonly unknown[]>(h: DbHandle, query: Streamable<object>): Iterable<R> | AsyncIterable<R> {
  return h.sqlite ? rawStatement<R>(h.sqlite, query).rows : valuesOf<R>(query, 1000);
}

/**
 * On SQLite, the rows as arrays of their columns with the columns' names; undefined on PostgreSQL
 * (read its rows with streamRows).
 */
export function sqliteArrays(h: DbHandle, query: Streamable<object>): { names: string[]; rows: Iterable<unknown[]> } | undefined {
  return h.sqlite ? rawStatement<unknown[]>(h.sqlite, query) : undefined;
}

/** A SQLite statement stepped in raw mode (each row an array), and its columns' names. */
function rawStatement<R>(sqlite: NonNullable<DbHandle['sqlite']>, query: Streamable<object>): { names: string[]; rows: Iterable<R> } {
  const compiled = query.compile();
  const statement = sqlite.prepare(compiled.sql).raw(true);
  return { names: statement.columns().map((c) => c.name), rows: statement.iterate(...compiled.parameters) as Iterable<R> };
}

/** A cursor's rows, each as the array of its values (select order). */
async function* valuesOf<R>(query: Streamable<object>, cursorRows: number): AsyncGenerator<R> {
  for await (const r of query.stream(cursorRows)) yield Object.values(r) as unknown as R;
}

/**
 * One row at a time from either kind of stream, with the current row at hand (`head`): for merging
 * two streams in the same order. Stepping a SQLite statement returns no Promise, so a million rows
 * cost no million awaits.
 */
export class Cursor<R> {
  head: R | undefined;
  private constructor(
    private readonly sync: Iterator<R> | undefined,
    private readonly async: AsyncIterator<R> | undefined,
  ) {}

  static async open<R>(rows: Iterable<R> | AsyncIterable<R>): Promise<Cursor<R>> {
    const c =
      Symbol.iterator in rows ? new Cursor<R>(rows[Symbol.iterator](), undefined) : new Cursor<R>(undefined, rows[Symbol.asyncIterator]());
    await c.next();
    return c;
  }

  /** Moves to the next row (head undefined at the end); a Promise only when the stream is asynchronous. */
  next(): void | Promise<void> {
    if (this.sync) {
      const n = this.sync.next();
      this.head = n.done ? undefined : n.value;
      return;
    }
    return this.async!.next().then((n) => {
      this.head = n.done ? undefined : n.value;
    });
  }

  /** Ends the stream early (releases the statement or the cursor's connection). */
  async close(): Promise<void> {
    this.sync?.return?.();
    await this.async?.return?.();
  }
}
