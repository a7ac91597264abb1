/**
 * The worker thread of src/db/beside.ts: opens its own connection to the SQLite file (no migration,
 * never a new file), or, for a bare part on PostgreSQL, to the server with the pool's settings; calls the
 * named function of the module with it, posts the result and closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { AppError, type ErrorCode } from '../errors.js';
import type { DbHandle } from './connection.js';
import type { BesideAhead } from './beside-start.js';
import type { PgConnect } from './pg-config.js';

export interface BesideInput {
  /** the SQLite file; for a bare part on PostgreSQL, `pg` instead */
  file: string;
  /** PostgreSQL: the pool's connection settings (plain data), for a bare part's own connection */
  pg?: PgConnect;
  /** URL of the module that exports the function */
  module: string;
  name: string;
  args: unknown[];
  /** the function takes a bare connection (better-sqlite3's, or a pg client), not a handle (beside.ts BareCall) */
  bare: boolean;
  /** the connection's busy timeout (connection.ts BUSY_TIMEOUT_MS, not imported here: it would load kysely) */
  busyMs: number;
}

/** A failure as it crosses the thread: the message, and what makes an AppError (or a SQLite error) what it is. */
export interface BesideFailure {
  ok: false;
  message: string;
  stack?: string;
  /** an AppError's: its code, exit code and hint */
  app?: { code: ErrorCode; exitCode: number; hint?: string };
  /** a system or SQLite error's code (SQLITE_BUSY …) */
  code?: string;
  /** the worker could not open its connection (beside.ts then runs the part on the calling thread) */
  connect?: boolean;
}

export type BesideMessage = { ok: true; value: unknown } | BesideFailure;

/** The worker connection's page cache, in KiB (SQLite's own default). */
const CACHE_KB = 2000;

type Part = (h: DbHandle | Database.Database | pg.Client, ...args: unknown[]) => Promise<unknown>;

async function run(input: BesideInput): Promise<BesideMessage> {
  const [h, close] = await (input.pg ? openPg(input.pg) : input.bare ? openBare(input) : openHandle(input.file)).catch((e: unknown) => {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { connect: true });
  });
  try {
    const fn = ((await import(input.module)) as Record<string, Part>)[input.name];
    if (typeof fn !== 'function') throw new Error(`${input.module} exports no function ${input.name}`);
    return { ok: true, value: await fn(h, ...input.args) };
  } finally {
    await close();
  }
}

type Opened<C> = [C, () => Promise<void>];

/**
 * A small page cache: a part reads through tables and indexes, each page about once, and every
 * connection's cache (16 MB in better-sqlite3's build) adds to the process's memory.
 */
const smallCache = (sqlite: Database.Database) => sqlite.pragma(`cache_size = -${CACHE_KB}`);

async function openHandle(file: string): Promise<Opened<DbHandle>> {
  const { openDb } = await import('./connection.js');
  const h = await openDb(file, { migrate: false, create: false });
  smallCache(h.sqlite!);
  return [h, () => h.close()];
}

/** The file opened by better-sqlite3 alone (it exists: the handle on the other thread has it open). */
async function openBare(input: BesideInput): Promise<Opened<Database.Database>> {
  const { default: Database } = await import('better-sqlite3');
  const sqlite = new Database(input.file, { fileMustExist: true });
  sqlite.pragma(`busy_timeout = ${input.busyMs}`);
  smallCache(sqlite);
  return [sqlite, async () => void sqlite.close()];
}

/** A connection of its own to the PostgreSQL server, with the pool's settings and type parsers (pg alone, no kysely). */
async function openPg(connect: PgConnect): Promise<Opened<pg.Client>> {
  const [{ default: pg }, { PG_TYPES }, { CONNECT_TIMEOUT_MS, clientConfig, closingClient }] = await Promise.all([
    import('pg'),
    import('./pg-stream.js'),
    import('./pg-config.js'),
  ]);
  const Client = closingClient(pg.Client);
  const client = new Client({ ...clientConfig(connect, CONNECT_TIMEOUT_MS), types: PG_TYPES });
  // an error of the idle connection (the server went away) is the part's to report, not the thread's end
  client.on('error', () => undefined);
  await client.connect();
  return [client, () => client.end()];
}

/** A thread made ahead (beside-start.ts): its modules loaded while it waits, then the input it is told. */
async function inputWhenTold(data: BesideAhead): Promise<BesideInput> {
  const told = new Promise<BesideInput>((resolve) => port.once('message', resolve));
  // a module that fails to load here is reported by the part that imports it
  await Promise.all(data.preload.map((m) => import(m).catch(() => undefined)));
  return told;
}

const port = parentPort!;
const data = workerData as BesideInput | BesideAhead;
port.postMessage(
  await ('ahead' in data ? inputWhenTold(data) : Promise.resolve(data)).then(run).catch((e: unknown): BesideMessage => {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      message: error.message,
      stack: error.stack,
      app: error instanceof AppError ? { code: error.code, exitCode: error.exitCode, hint: error.hint } : undefined,
      code: !(error instanceof AppError) && typeof code === 'string' ? code : undefined,
      connect: (error as { connect?: boolean }).connect === true,
    };
  }),
);
