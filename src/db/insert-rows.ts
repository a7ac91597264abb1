/**
 * Many rows into one table in the caller's transaction, the rows whose `conflict` columns match an
 * existing row left out (ON CONFLICT DO NOTHING); `inserted` hears of each item whose row went in, with
 * its `returning` columns.
 * - SQLite (a database openTarget opened, or its write transaction: the same connection): one
 *   single-row statement, prepared once and stepped per row. A kysely INSERT of 200 rows is a query tree
 *   of thousands of nodes and a statement compiled anew each time: `remind --mark-sent` spent 17 s of
 *   CPU in the 1,500 such INSERTs of 160,000 claims and 138,000 skipped stages;
 * - else (PostgreSQL) kysely INSERTs of `batch` rows, each returned row matched to its item by the
 *   conflict columns.
 * The items are taken as they come (a lazy iterable holds no more than the INSERT at hand); every row has
 * the keys of the first, none of them undefined.
 */
import type { Statement } from 'better-sqlite3';
import type { Kysely } from '#kysely';
import { handleOf } from './connection.js';
import type { DB } from './schema/index.js';

type Row = Record<string, unknown>;

export interface InsertRowsOptions<T> {
  /** the columns of the unique index whose conflicts are skipped */
  conflict: readonly string[];
  returning?: readonly string[];
  /** called for each item whose row was inserted, with the row's `returning` columns */
  inserted?: (item: T, returned: Row) => void;
  /** rows per INSERT where the rows go through kysely */
  batch?: number;
}

export async function insertRows<T>(
  db: Kysely<DB>,
  table: keyof DB,
  items: Iterable<T>,
  toRow: (item: T) => Row,
  options: InsertRowsOptions<T>,
): Promise<void> {
  const returning = options.inserted ? [...(options.returning ?? [])] : [];
  const sqlite = handleOf(db)?.sqlite;
  if (sqlite) {
    let stmt: Statement | undefined;
    let columns: string[] = [];
    for (const item of items) {
      const r = toRow(item);
      if (!stmt) {
        columns = Object.keys(r);
        stmt = sqlite.prepare(insertSql(table, columns, options.conflict, returning));
      }
      const values = columns.map((c) => r[c]);
      if (returning.length === 0) stmt.run(values);
      else {
        const got = stmt.get(values) as Row | undefined;
        if (got) options.inserted!(item, got);
      }
    }
    return;
  }
  const loose = db as unknown as Kysely<Record<string, Row>>;
  const size = options.batch ?? 200;
  const keyOf = (r: Row) => JSON.stringify(options.conflict.map((c) => r[c]));
  let batch: T[] = [];
  const insert = async () => {
    if (batch.length === 0) return;
    const rows = batch.map(toRow);
    const query = loose
      .insertInto(table)
      .values(rows)
      .onConflict((oc) => oc.columns([...options.conflict]).doNothing());
    if (returning.length > 0) {
      const byKey = new Map(rows.map((r, i) => [keyOf(r), batch[i]!]));
      for (const got of await query.returning([...new Set([...returning, ...options.conflict])]).execute())
        options.inserted!(byKey.get(keyOf(got))!, got);
    } else await query.execute();
    batch = [];
  };
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) await insert();
  }
  await insert();
}

function insertSql(table: string, columns: readonly string[], conflict: readonly string[], returning: readonly string[]): string {
  const q = (names: readonly string[]) => names.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ');
  return (
    `insert into "${table}" (${q(columns)}) values (${columns.map(() => '?').join(', ')})` +
    ` on conflict (${q(conflict)}) do nothing${returning.length > 0 ? ` returning ${q(returning)}` : ''}`
  );
}
