/**
 * COPY … FROM STDIN on PostgreSQL, for a large import (src/import/bulk/pg-bulk-table.ts). An import runs on
 * one connection of its own (a `PgSession`): its transaction and its COPY statements must share it, and
 * kysely's transactions take whichever pooled connection is free. The session's Kysely is pinned to that
 * connection; every statement sent through it first ends the COPY in progress (a connection runs one
 * statement at a time: a query queued behind an open COPY would wait for it forever), and the next row
 * written starts a new COPY. Rows travel in COPY's text format, in 64 KB chunks; a chunk the socket cannot
 * take yet makes `row` return a Promise (backpressure: memory stays flat however large the file).
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from '#kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import Cursor from 'pg-cursor';
import { CopyBytes, type CopyRowFormat } from './pg-copy-text.js';
import type { DB } from './schema/index.js';

/** COPY statements this process ran, and the rows the server said they loaded (a test seam: honest counts). */
export const copyStats = { statements: 0, rows: 0 };

/** Bytes of COPY text sent at once. */
const CHUNK = 64 * 1024;

export class PgSession {
  readonly db: Kysely<DB>;
  private copy: CopyWriter | undefined;
  private broken: Error | undefined;

  private constructor(private readonly client: pg.PoolClient) {
    const pinned: PostgresPoolClient = {
      query: ((...args: [string, unknown[]] | [{ submit: unknown }]) => {
        if (args.length === 1) {
          // a cursor (kysely's stream) is handed back at once: it cannot wait for a COPY to end
          if (this.copy?.open) throw new Error('import: a cursor was opened while a COPY was in progress');
          return client.query(args[0] as never);
        }
        const [text, values] = args;
        if (!this.copy?.open) return client.query(text, values);
        return this.copy.end().then(() => client.query(text, values));
      }) as PostgresPoolClient['query'],
      release: () => undefined,
    };
    const pool: PostgresPool = { connect: () => Promise.resolve(pinned), end: () => Promise.resolve() };
    this.db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  }

  static async open(pool: pg.Pool): Promise<PgSession> {
    const client = await pool.connect();
    const s = new PgSession(client);
    client.on('error', (e) => (s.broken = e));
    return s;
  }

  /** The rows of one COPY into `table`'s `columns` (at most one writer open at a time). */
  copyInto(table: string, columns: readonly string[]): CopyWriter {
    if (this.copy) throw new Error('import: one COPY writer at a time');
    const text = `copy ${quote(table)} (${columns.map(quote).join(', ')}) from stdin`;
    return (this.copy = new CopyWriter(this.client, text, () => (this.copy = undefined)));
  }

  /** Gives the connection back (or drops it, when it broke or a COPY could not end). */
  async close(): Promise<void> {
    const stuck = this.copy?.open;
    await this.db.destroy();
    this.client.release(stuck || this.broken ? (this.broken ?? new Error('import: COPY left open')) : undefined);
  }
}

/**
 * Rows into one table through COPY FROM STDIN. A COPY statement starts with the first row after the
 * writer was created or ended; `end` waits until the server has loaded every row sent. Each row is
 * encoded straight into UTF-8 bytes (src/db/pg-copy-text.ts): building the text of 64 KB of rows as one
 * string and encoding it cost a million contacts ≈ 1 s more of this thread's CPU.
 */
export class CopyWriter {
  private stream: ReturnType<typeof copyStreams.from> | undefined;
  private readonly out = new CopyBytes(CHUNK + 4096);
  private failure: Error | undefined;
  /** Rows loaded by the COPY statements that ended. */
  loaded = 0;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly statement: string,
    private readonly onClose: () => void,
  ) {}

  /** A COPY statement is in progress, or rows wait to be sent. */
  get open(): boolean {
    return this.stream !== undefined || this.out.end > 0;
  }

  /** Queues one row (copyLine's text of `rec`, `id` first when given). A Promise when the server is behind: wait for it. */
  row(rec: Readonly<Record<string, unknown>>, format: CopyRowFormat, id?: number): Promise<void> | undefined {
    this.out.row(rec, format, id);
    return this.out.end >= CHUNK ? this.send() : undefined;
  }

  /** Ends the COPY in progress (the rows are then in the table); the next row starts another. */
  async end(): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      if (this.out.end > 0) await this.send();
      const s = this.stream;
      if (!s) return;
      this.stream = undefined;
      await new Promise<void>((resolve, reject) => {
        s.once('finish', resolve);
        s.once('error', reject);
        s.end();
      });
      copyStats.statements++;
      copyStats.rows += s.rowCount;
      this.loaded += s.rowCount;
    } catch (e) {
      // the statement failed (and with it the transaction): what follows is the rollback, sent as usual
      this.stream = undefined;
      this.out.take();
      throw e;
    }
  }

  /** Ends the COPY and frees the session for another writer. */
  async close(): Promise<void> {
    await this.end();
    this.onClose();
  }

  private send(): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const s = (this.stream ??= this.start());
    const chunk = this.out.take();
    if (s.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        s.off('drain', done);
        s.off('error', done);
        if (e) reject(e);
        else resolve();
      };
      s.on('drain', done);
      s.on('error', done);
    });
  }

  private start(): ReturnType<typeof copyStreams.from> {
    const s = this.client.query(copyStreams.from(this.statement));
    // the server's refusal (a value it cannot take) ends the statement: reported by the next write or end
    s.on('error', (e: Error) => (this.failure ??= e));
    return s;
  }
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
