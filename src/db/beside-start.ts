/**
 * A worker thread of src/db/beside.ts made before its part is known, so that the thread's own start
 * (≈ 0.07 s: Node's bootstrap, better-sqlite3 and the part's module loaded) runs while this thread still
 * loads the command's modules and opens the database. The part then takes it (takeBesideThread) and
 * sends it its input; one not taken ends with the process (it holds nothing open and does not keep the
 * process alive). Imports nothing heavy: it is called before the rest is loaded.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The worker thread's module (beside.ts runs it too). */
export const BESIDE_WORKER = new URL('./beside-worker.js', import.meta.url);

/** What a thread made ahead is given: it loads these modules (URLs or package names), then waits for its input. */
export interface BesideAhead {
  ahead: true;
  preload: string[];
}

let made: { worker: Worker; youngGenerationMb: number } | undefined;

/**
 * Makes the thread for a part that will likely run beside (when none is made yet, and the program is
 * built: the TypeScript sources cannot run in a worker), with the part's young generation, loading `preload`.
 */
export function makeBesideThread(youngGenerationMb: number, preload: readonly string[]): void {
  if (made || !fs.existsSync(fileURLToPath(BESIDE_WORKER))) return;
  const workerData: BesideAhead = { ahead: true, preload: [...preload] };
  const worker = new Worker(BESIDE_WORKER, { workerData, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
  worker.unref();
  // a thread that fails before it is taken is not taken (the part makes its own); its error is not the command's
  const failed = () => {
    if (made?.worker === worker) made = undefined;
  };
  worker.once('error', failed);
  worker.once('exit', failed);
  made = { worker, youngGenerationMb };
}

/** The thread made ahead for a part with this young generation (it then keeps the process alive), or none. */
export function takeBesideThread(youngGenerationMb: number): Worker | undefined {
  const m = made;
  made = undefined;
  if (!m) return undefined;
  if (m.youngGenerationMb !== youngGenerationMb) {
    void m.worker.terminate();
    return undefined;
  }
  m.worker.removeAllListeners();
  m.worker.ref();
  return m.worker;
}
