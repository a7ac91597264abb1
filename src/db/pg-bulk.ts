/** Bulk helpers on PostgreSQL (the counterparts of src/db/bulk.ts's SQLite ones). */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema/index.js';

/** The ids that are not the `id` of any row of `table` (empty: every reference holds); one query. */
export async function pgMissingIds(db: Kysely<DB>, table: string, ids: Iterable<number>): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select x.id from unnest(${[...ids]}::bigint[]) as x(id)
    where not exists (select 1 from ${sql.table(table)} t where t.id = x.id)`.execute(db);
  return rows.map((r) => Number(r.id));
}
