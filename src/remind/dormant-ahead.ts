/**
 * The dormant-seat part's worker thread made ahead (src/db/beside-start.ts), before the run's modules are
 * loaded, when the run will likely scan the seats beside the rest (dormant-seats.ts): the thread's start
 * then runs beside this thread's loading instead of after it, and the run waits that much less for the
 * seats. Only a SQLite file large enough to hold BESIDE_FROM_SEATS seats is worth a thread made on a guess
 * (the bytes of a file are known at once; its seats only once it is open); on PostgreSQL the run waits
 * for the server's scan, not for the thread.
 */
import fs from 'node:fs';
import { makeBesideThread } from '../db/beside-start.js';
import type { DbTarget } from '../db/target.js';

/**
 * The part's young generation in MB: on PostgreSQL its thread parses ≈ 140,000 rows off the wire, whose
 * buffers and strings die young; in a young generation of 4 MB (beside.ts's default) it collected them in
 * 0.34 s of its 1.57 s, with 16 MB in 0.22 s (`remind --json` over the benchmark's data; the same peak RSS).
 * Two cores are shared by both threads and the server: CPU not spent there is the run's. The run's time
 * itself moved within the noise (it waits for the server's scan); SQLite's runs are the same either way.
 */
export const DORMANT_YOUNG_GENERATION_MB = 16;

/** The module of the part's bare function. */
export const DORMANT_MODULE = new URL('./dormant-rows.js', import.meta.url);

/** A SQLite file from this size on may hold 200,000 seats (the benchmark's: 1,500,000 seats in 450 MB). */
const AHEAD_FROM_BYTES = 48 * 1024 * 1024;

export function makeDormantThreadAhead(target: DbTarget): void {
  if (target.kind !== 'sqlite' || target.path === ':memory:') return;
  let size: number;
  try {
    size = fs.statSync(target.path).size;
  } catch {
    return; // no such file: the run says so
  }
  if (size >= AHEAD_FROM_BYTES) makeBesideThread(DORMANT_YOUNG_GENERATION_MB, [DORMANT_MODULE.href, 'better-sqlite3']);
}
