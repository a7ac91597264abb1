/**
 * A row's values in a fixed order of columns, for the hot loops of a large import (a million rows of a
 * bulk load into SQLite, or COPY text on PostgreSQL). `rec[columns[i]]` in a loop is a lookup by a key
 * that changes at each step: V8 takes its slow, generic path for every value (a million contacts, nine
 * columns: ≈ 0.13 s of the thread that writes to the database). A function compiled for the list of
 * columns reads each one by its own name, as hand-written code would, at the cost of the fast path.
 */

/** Writes `rec`'s values of the columns (undefined as null) into `out` from `at` on. */
export type RowValues = (rec: Readonly<Record<string, unknown>>, out: unknown[], at: number) => void;

/** The RowValues of `columns` (names from the code, quoted as JSON: any text is safe). */
export function rowValues(columns: readonly string[]): RowValues {
  const body = columns.map((c, i) => `out[at + ${i}] = rec[${JSON.stringify(c)}] ?? null;`).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiled once per load from column names
  return new Function('rec', 'out', 'at', body) as RowValues;
}
