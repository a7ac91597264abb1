/**
 * A query's rows streamed as arrays on one PostgreSQL connection, and the type parsers every connection
 * of acctmgr uses. Light on purpose (pg alone, no kysely): the seat scan's worker thread loads it
 * (src/db/beside-worker.ts) as well as the pool's side (src/db/postgres.ts).
 */
import pg from 'pg';

/** 64-bit integers (ids, counts, cents) as numbers: the CLI accepts no amount beyond 2^53 - 1. */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The rows of one query, `rows` at a time, as arrays of their columns (pg's array row mode: no object per
 * row). The query runs to its end in one go, not through a cursor: a portal read a chunk at a time may
 * not use parallel workers, and the seat scan of `remind` over the benchmark's data took ≈ 0.83 s that
 * way against ≈ 0.51 s in one go (2026-12-04). Rows are taken as they arrive; while `ahead` chunks wait
 * for the caller the socket is paused (the server waits on it), so memory stays flat however many rows.
 * A caller that stops before the end leaves the rest of the result on its way: the connection must then
 * be dropped, not reused (the generator returns normally only after the last row).
 */
export async function* streamChunks<R>(
  client: pg.ClientBase,
  sql: string,
  parameters: readonly unknown[],
  rows: number,
  ahead = 2,
): AsyncGenerator<R[]> {
  const socket = (client as unknown as { connection: { stream: { pause(): void; resume(): void } } }).connection.stream;
  const ready: R[][] = [];
  let chunk: R[] = [];
  let ended = false;
  let failed: Error | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const config: pg.QueryArrayConfig = { text: sql, values: [...parameters], rowMode: 'array' };
  const query = new pg.Query(config);
  query.on('row', (row: R) => {
    chunk.push(row);
    if (chunk.length < rows) return;
    ready.push(chunk);
    chunk = [];
    if (ready.length >= ahead && !paused) {
      paused = true;
      socket.pause();
      streamStats.pauses++;
    }
    streamStats.mostWaiting = Math.max(streamStats.mostWaiting, ready.length);
    signal();
  });
  query.on('end', () => {
    if (chunk.length > 0) ready.push(chunk);
    ended = true;
    signal();
  });
  query.on('error', (e: Error) => {
    failed = e;
    signal();
  });
  void client.query(query);
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        if (paused && ready.length < ahead) {
          paused = false;
          socket.resume();
        }
        yield next;
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    if (paused) socket.resume();
  }
}

/** How streams waited (a test seam: the socket was paused, and how many chunks waited at most). */
export const streamStats = { pauses: 0, mostWaiting: 0 };
