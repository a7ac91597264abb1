/**
 * How an importer writes a file, by what a statement costs on its database. SQLite answers in-process
 * (a statement is a function call, a lookup a few µs): a file is bulk-loaded only when rebuilding the
 * table's indexes beats keeping them up to date (`worthBulk`). PostgreSQL answers over the network: every
 * statement is a round trip (≈ 0.2–0.4 ms here: 15,000 new contacts took 5.8 s row by row, on SQLite
 * 0.8 s), while a scan reads a stored row in ≈ 1–2 µs. So on PostgreSQL a file of a thousand rows or more
 * goes through COPY (src/import/bulk/pg-bulk-table.ts) once the round trips it saves outweigh reading the
 * table's stored keys, with the table's indexes kept in place when the file is small beside the table
 * (rebuilding them would cost per row of the table), and a referenced table is read whole instead of a
 * query per key on the same reckoning.
 */
import type { Timing } from '../statements.js';
import { worthBulk } from './bulk-table.js';

/** A bulk load: the table's indexes suspended and rebuilt ('suspend'), or kept up to date ('keep', PostgreSQL only). */
export type BulkPlan = 'suspend' | 'keep';

/** Stored rows a PostgreSQL scan reads in about the time of one round trip (kept low: a scan also costs memory). */
export const ROUND_TRIP_ROWS = 100;

/** Rows from which a PostgreSQL COPY is worth opening (below: ≈ 0.3 s of round trips at most). */
export const COPY_MIN_ROWS = 1000;

/** How a file of `bytes` (≈ `rowBytes` a row) is written into a table of `storedRows` (undefined: row by row). */
export function bulkPlan(timing: Timing, bytes: number, rowBytes: number, storedRows: number): BulkPlan | undefined {
  if (worthBulk(bytes, rowBytes, storedRows)) return 'suspend';
  if (timing === 'now') return undefined;
  const rows = bytes / rowBytes;
  return rows >= COPY_MIN_ROWS && rows * ROUND_TRIP_ROWS >= storedRows ? 'keep' : undefined;
}

/** Whether a file of ≈ `rows` rows reads a referenced table of `stored` rows whole instead of a query per key. */
export function readsWhole(timing: Timing, rows: number, stored: number): boolean {
  return stored <= rows * (timing === 'now' ? 1 : ROUND_TRIP_ROWS);
}
