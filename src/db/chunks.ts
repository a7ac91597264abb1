/**
 * A statement binds only so many values: SQLite at most 32,766 (SQLITE_MAX_VARIABLE_NUMBER), PostgreSQL
 * at most 65,535 (the protocol's 16-bit count). A list that grows with the data — the ids of a manager's
 * accounts, a renewed subscription's seats, the rows an import wrote — goes to the database a chunk at a
 * time: `where id in (…)` with at most ID_CHUNK ids, a multi-row INSERT of at most MAX_PARAMS values.
 */

/** Bound values per statement, well inside both engines' limits. */
export const MAX_PARAMS = 30_000;

/** Ids per `in (…)` list. */
export const ID_CHUNK = 5000;

/** `items` cut into slices of at most `size`. */
export function chunked<T>(items: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows of `columns` values each per multi-row INSERT (at most `max`). */
export function rowsPerInsert(columns: number, max = 1000): number {
  return Math.max(1, Math.min(max, Math.floor(MAX_PARAMS / columns)));
}

/** `rows` cut into slices one multi-row INSERT can take (each row with the keys of the first). */
export function insertChunks<R extends object>(rows: readonly R[]): R[][] {
  return rows.length === 0 ? [] : chunked(rows, rowsPerInsert(Object.keys(rows[0]!).length));
}

/**
 * The rows of `query` over every row (no ids) or over these ids, a chunk of them per statement: one list
 * of rows per statement, the statements run at once.
 */
export function rowsByIds<R>(ids: readonly number[] | undefined, query: (chunk?: readonly number[]) => Promise<R[]>): Promise<R[][]> {
  return ids ? Promise.all(chunked(ids).map(query)) : Promise.all([query()]);
}

/** The rows of `query` over these ids (or values), a chunk of them per statement, one after another, in one list. */
export async function rowsOfIds<T, R>(ids: readonly T[], query: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunked(ids)) for (const r of await query(chunk)) out.push(r);
  return out;
}
