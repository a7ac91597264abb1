/**
 * A large file read in a second thread. On one thread a million contacts spend ≈ 2 s parsing, cleaning
 * and coercing cells and ≈ 3 s in SQLite; with the first part in a reader thread (src/import/lane-worker.ts)
 * the two overlap, and this thread only checks what needs the database and the rows before (keys,
 * primary contacts) and writes. Batches are acknowledged, so the reader is never more than a few
 * batches ahead: memory stays flat.
 *
 * The reader is the built JavaScript beside this file; when it is not there (the TypeScript sources run
 * under the test runner) or the request says no (ACCTMGR_IMPORT_THREADS=1), the file is read on this
 * thread as usual.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ImportFileError } from './errors.js';
import type { LaneInput, LaneMessage } from './lane-worker.js';

const WORKER = new URL('./lane-worker.js', import.meta.url);

/** Whether a reader thread can be started here. */
export function laneAvailable(): boolean {
  return fs.existsSync(fileURLToPath(WORKER));
}

export interface LaneBatch {
  rows: unknown[];
  count: number;
  bytes: number;
}

/** The batches of prepared rows, in file order; the reader stops when the caller stops reading. */
export async function* readLane(input: LaneInput): AsyncGenerator<LaneBatch> {
  const worker = new Worker(WORKER, { workerData: input });
  const queue: (LaneMessage | Error)[] = [];
  let wake: (() => void) | undefined;
  const push = (m: LaneMessage | Error) => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', push);
  worker.on('exit', (code) => push(new Error(`import: the reader thread stopped (exit code ${code})`)));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if (m instanceof Error) throw m;
      if (m.type === 'error') throw m.refused ? new ImportFileError(m.message, m.hint) : new Error(m.message);
      if (m.type === 'done') return;
      yield m;
      worker.postMessage('ack');
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
