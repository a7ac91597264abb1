/**
 * The worker thread of src/db/beside.ts: opens its own connection to the SQLite file (no migration,
 * never a new file), calls the named function of the module with it, posts the result and closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import { openDb, type DbHandle } from './connection.js';

export interface BesideInput {
  file: string;
  /** URL of the module that exports the function */
  module: string;
  name: string;
  args: unknown[];
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

type Part = (h: DbHandle, ...args: unknown[]) => Promise<unknown>;

async function run(input: BesideInput): Promise<BesideMessage> {
  const h = await openDb(input.file, { migrate: false, create: false });
  // a small page cache: a part reads through tables and indexes, each page about once, and every
  // connection's cache (16 MB in better-sqlite3's build) adds to the process's memory
  h.sqlite!.pragma(`cache_size = -${CACHE_KB}`);
  try {
    const fn = ((await import(input.module)) as Record<string, Part>)[input.name];
    if (typeof fn !== 'function') throw new Error(`${input.module} exports no function ${input.name}`);
    return { ok: true, value: await fn(h, ...input.args) };
  } finally {
    await h.close();
  }
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
