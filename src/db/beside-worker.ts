/**
 * The worker thread of src/db/beside.ts: opens its own connection to the SQLite file (no migration,
 * never a new file), calls the named function of the module with it, posts the result and closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { AppError, type ErrorCode } from '../errors.js';
import type { DbHandle } from './connection.js';

export interface BesideInput {
  file: string;
  /** URL of the module that exports the function */
  module: string;
  name: string;
  args: unknown[];
  /** the function takes a bare better-sqlite3 connection, not a handle (beside.ts BareCall) */
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
}

export type BesideMessage = { ok: true; value: unknown } | BesideFailure;

/** The worker connection's page cache, in KiB (SQLite's own default). */
const CACHE_KB = 2000;

type Part = (h: DbHandle | Database.Database, ...args: unknown[]) => Promise<unknown>;

async function run(input: BesideInput): Promise<BesideMessage> {
  const h = input.bare ? await openBare(input) : await openHandle(input.file);
  try {
    const fn = ((await import(input.module)) as Record<string, Part>)[input.name];
    if (typeof fn !== 'function') throw new Error(`${input.module} exports no function ${input.name}`);
    return { ok: true, value: await fn(h, ...input.args) };
  } finally {
    await h.close();
  }
}

/**
 * A small page cache: a part reads through tables and indexes, each page about once, and every
 * connection's cache (16 MB in better-sqlite3's build) adds to the process's memory.
 */
const smallCache = (sqlite: Database.Database) => sqlite.pragma(`cache_size = -${CACHE_KB}`);

async function openHandle(file: string): Promise<DbHandle> {
  const { openDb } = await import('./connection.js');
  const h = await openDb(file, { migrate: false, create: false });
  smallCache(h.sqlite!);
  return h;
}

/** The file opened by better-sqlite3 alone (it exists: the handle on the other thread has it open). */
async function openBare(input: BesideInput): Promise<Database.Database> {
  const { default: Database } = await import('better-sqlite3');
  const sqlite = new Database(input.file, { fileMustExist: true });
  sqlite.pragma(`busy_timeout = ${input.busyMs}`);
  smallCache(sqlite);
  return sqlite;
}

const port = parentPort!;
port.postMessage(
  await run(workerData as BesideInput).catch((e: unknown): BesideMessage => {
    const error = e instanceof Error ? e : new Error(String(e));
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      message: error.message,
      stack: error.stack,
      app: error instanceof AppError ? { code: error.code, exitCode: error.exitCode, hint: error.hint } : undefined,
      code: !(error instanceof AppError) && typeof code === 'string' ? code : undefined,
    };
  }),
);
