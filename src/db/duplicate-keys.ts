/**
 * `db check`: rows that share a unique key (src/db/schema/unique-keys.ts), found by queries on both
 * engines. The unique indexes keep them out while they exist; this finds what got in without one — an
 * index dropped by hand, a restore or copy that skipped it — which neither engine's own checks see on a
 * table without the index.
 */
import { sql, type Kysely, type RawBuilder } from '#kysely';
import type { DB } from './schema/index.js';
import { UNIQUE_KEYS, type UniqueKey } from './schema/unique-keys.js';

export interface DuplicateKey {
  table: string;
  columns: string[];
  /** the key the rows share, a value a column */
  values: (string | number | null)[];
  /** how many rows share it */
  rows: number;
  /** their ids (the first 100); none for a table without an id column */
  ids: number[];
}

/**
 * The first `max` keys that more than one row holds, by table (then in the list's order) and value. `columns` (`table.column`)
 * names the columns the database has: a key of a later migration than the database's is not looked
 * for. A row with a null in the key shares it with no other, as in a unique index.
 */
export async function duplicateKeys(
  db: Kysely<DB>,
  engine: 'sqlite' | 'postgres',
  columns: ReadonlySet<string>,
  max: number,
): Promise<DuplicateKey[]> {
  const present = (k: UniqueKey) => k.columns.every((c) => columns.has(`${k.table}.${c}`));
  const keys = UNIQUE_KEYS.filter((k) => present(k) && !(engine === 'sqlite' && k.rowid)).sort((a, b) => byteOrder(a.table, b.table));
  if (keys.length === 0) return [];
  // a clean database costs one query: how many values each key has more than once
  const counts = sql.join(keys.map((k, i) => sql`(select count(*) from (${shared(k, sql`1`)}) ${sql.id(`d${i}`)}) as ${sql.id(`k${i}`)}`));
  const { rows } = await sql<Record<string, number | string>>`select ${counts}`.execute(db);
  const out: DuplicateKey[] = [];
  for (const [i, k] of keys.entries()) {
    if (Number(rows[0]?.[`k${i}`] ?? 0) === 0) continue;
    const select = sql.join([...k.columns.map((c, j) => sql`${keyPart(k, c)} as ${sql.id(`v${j}`)}`), sql`count(*) as n`]);
    const order = sql.join(k.columns.map((c) => keyPart(k, c)));
    const groups = await sql<Record<string, unknown>>`${shared(k, select)} order by ${order} limit ${max - out.length}`.execute(db);
    for (const g of groups.rows) {
      const key = k.columns.map((_, j) => g[`v${j}`] as string | number | null);
      const ids = columns.has(`${k.table}.id`) ? await idsOf(db, k, key) : [];
      // reported as stored: the null that coalesce() made a value is shown as null
      const values = key.map((v, j) => (k.nullAs && k.columns[j] === k.nullAs.column && v === k.nullAs.value ? null : v));
      out.push({ table: k.table, columns: [...k.columns], values, rows: Number(g.n), ids });
    }
    if (out.length >= max) break;
  }
  return out;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A column of the key as its index holds it. */
function keyPart(k: UniqueKey, column: string): RawBuilder<unknown> {
  return k.nullAs?.column === column ? sql`coalesce(${sql.ref(column)}, ${sql.lit(k.nullAs.value)})` : sql`${sql.ref(column)}`;
}

/** The values of `k` that more than one row holds (rows with a null in a plain key column hold none). */
function shared(k: UniqueKey, select: RawBuilder<unknown>): RawBuilder<unknown> {
  const held = k.columns.filter((c) => c !== k.nullAs?.column).map((c) => sql`${sql.ref(c)} is not null`);
  const where = held.length > 0 ? sql` where ${sql.join(held, sql` and `)}` : sql``;
  return sql`select ${select} from ${sql.table(k.table)}${where} group by ${sql.join(k.columns.map((c) => keyPart(k, c)))} having count(*) > 1`;
}

async function idsOf(db: Kysely<DB>, k: UniqueKey, key: (string | number | null)[]): Promise<number[]> {
  const match = sql.join(
    k.columns.map((c, j) => sql`${keyPart(k, c)} = ${key[j]}`),
    sql` and `,
  );
  const { rows } = await sql<{ id: number | string }>`select id from ${sql.table(k.table)} where ${match} order by id limit 100`.execute(
    db,
  );
  return rows.map((r) => Number(r.id));
}
