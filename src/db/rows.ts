/**
 * Reading many rows without holding them: SQLite steps a prepared statement (synchronously, no
 * per-row Promise), PostgreSQL reads through a server-side cursor (pg-cursor) a thousand rows at a time.
 * `for await` takes either.
 */
import type { CompiledQuery } from 'kysely';
import type { DbHandle } from './connection.js';

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
