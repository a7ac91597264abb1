/**
 * A part of a read-only job run beside the rest, at the same time, through the same service function:
 * - SQLite: in a worker thread (src/db/beside-worker.ts) with a connection of its own to the same file
 *   (WAL lets readers run side by side), so that the two parts use two cores;
 * - PostgreSQL: a bare part (below) in a worker thread with a connection of its own (the rows it reads
 *   are parsed there, not on this thread); any other here, its queries on the pool's other connections,
 *   in parallel with the rest's.
 * Where neither helps — an in-memory database, or the TypeScript sources under the test runner, which
 * a worker thread cannot load — the part runs here, when its result is asked for (after the rest).
 *
 * The function is `name` exported by `module` (a URL beside the caller's own file, so the worker loads
 * the same build) and takes the handle first (or, a bare part, the SQLite connection alone); its
 * arguments and result cross the thread by structured clone (plain data).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS, type DbHandle } from './connection.js';
import { AppError } from '../errors.js';
import type { BesideFailure, BesideInput, BesideMessage } from './beside-worker.js';
import { BESIDE_WORKER as WORKER, takeBesideThread } from './beside-start.js';

/**
 * The worker's young generation, in MB (V8's default is 3 × 16): the parts read rows by the hundred
 * thousand whose objects die young, and a small young generation keeps the thread's memory small, for
 * some more time in the garbage collector (the managers report alone, in a worker, over the benchmark's
 * data: 257 MB peak RSS and 0.6 s of collection with the default, 223 MB and 1.4 s with this).
 */
const YOUNG_GENERATION_MB = 4;

export interface Beside<T> {
  /** The part's result (its error, when it failed). */
  result(): Promise<T>;
  /** Stops the part if it still runs (the rest failed). */
  stop(): Promise<void>;
}

/** A part: `fn` runs it here; a worker thread runs `name` of `module`, or the bare function `bare` names. */
export type BesideFunction<A extends unknown[], T> = {
  fn: (h: DbHandle, ...args: A) => Promise<T>;
  /** its worker's young generation in MB, when not YOUNG_GENERATION_MB */
  youngGenerationMb?: number;
} & (
  | { module: URL; name: string; bare?: undefined }
  | {
      /**
       * The part in a worker thread on a bare connection (better-sqlite3 alone, or on PostgreSQL a pg
       * client; no kysely and no migrations loaded there: the thread starts its work ≈ 0.05 s after it is
       * made instead of ≈ 0.3 s): the function `name` exported by `module` (which must import nothing
       * heavy) takes the connection and `args`, made here from the part's own arguments (e.g. a query
       * compiled with kysely on this thread, for the handle's dialect).
       */
      bare: (h: DbHandle, ...args: A) => BareCall;
    }
);

export interface BareCall {
  module: URL;
  name: string;
  args: unknown[];
}

/** Whether a part can run in a worker thread here (a SQLite file, the built program). */
export function besideThreadAvailable(h: DbHandle, module: URL): boolean {
  return h.sqlite !== undefined && h.path !== ':memory:' && built(module);
}

/**
 * Whether a bare part can run in a worker thread here: as besideThreadAvailable, or on PostgreSQL, where the
 * worker makes a connection of its own from the pool's settings (`pgConnect`: plain data, TLS checks included,
 * built as the pool was, pg-config.ts; the type parsers are the worker's own, src/db/pg-stream.ts).
 */
export function bareThreadAvailable(h: DbHandle, module: URL): boolean {
  return besideThreadAvailable(h, module) || (h.pgConnect !== undefined && built(module));
}

/** The module and the worker are the built JavaScript (the TypeScript sources cannot run in a worker). */
function built(module: URL): boolean {
  return module.pathname.endsWith('.js') && fs.existsSync(fileURLToPath(WORKER)) && fs.existsSync(fileURLToPath(module));
}

export function beside<A extends unknown[], T>(h: DbHandle, f: BesideFunction<A, T>, ...args: A): Beside<T> {
  const call = f.bare ? { ...f.bare(h, ...args), bare: true } : { module: f.module, name: f.name, args, bare: false };
  const pgConfig = h.engine === 'postgres' && call.bare && built(call.module) ? h.pgConnect : undefined;
  if (h.engine === 'postgres' && !pgConfig) {
    const running = f.fn(h, ...args);
    // the rest may fail first: its error is the one reported, and this one must not go unhandled
    running.catch(() => undefined);
    return { result: () => running, stop: async () => undefined };
  }
  if (!pgConfig && !besideThreadAvailable(h, call.module)) return inTurn(h, f, ...args);
  const input: BesideInput = {
    file: h.path,
    pg: pgConfig,
    module: call.module.href,
    name: call.name,
    args: call.args,
    bare: call.bare,
    busyMs: BUSY_TIMEOUT_MS,
  };
  const youngGenerationMb = f.youngGenerationMb ?? YOUNG_GENERATION_MB;
  // the thread made ahead for it (beside-start.ts), told its input; else one made now with it
  const ahead = takeBesideThread(youngGenerationMb);
  ahead?.postMessage(input);
  const worker = ahead ?? new Worker(WORKER, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
  const inWorker = new Promise<T>((resolve, reject) => {
    worker.once('message', (m: BesideMessage) => (m.ok ? resolve(m.value as T) : reject(failure(m))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${call.name}: the worker thread stopped (exit code ${code})`)));
  });
  // a worker that could not open its connection (the server's connection limit, say): the part runs here
  // after all, as it would without a worker, on the connections this thread already has
  const running = inWorker.catch((e: unknown) => {
    if ((e as { connect?: boolean }).connect) return f.fn(h, ...args);
    throw e;
  });
  running.catch(() => undefined);
  return {
    result: () => running,
    stop: async () => {
      worker.removeAllListeners();
      await worker.terminate();
    },
  };
}

/** The part run here, when its result is asked for: one after the other, for work too small to pay for a thread. */
export function inTurn<A extends unknown[], T>(h: DbHandle, f: BesideFunction<A, T>, ...args: A): Beside<T> {
  let later: Promise<T> | undefined;
  return { result: () => (later ??= f.fn(h, ...args)), stop: async () => undefined };
}

/** The worker's error as it was there: an AppError keeps its exit code and hint, a SQLite error its code. */
function failure(m: BesideFailure): Error {
  const e = m.app
    ? new AppError(m.message, m.app.code, m.app.exitCode, m.app.hint)
    : Object.assign(new Error(m.message), { code: m.code, connect: m.connect });
  if (m.stack) e.stack = m.stack;
  return e;
}
