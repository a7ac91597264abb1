/** The next number of a table with generated keys (ACT-, REQ- …): one more than the largest; the caller holds the write lock. */
import { sql, type Kysely } from '#kysely';
import type { DB } from './schema/index.js';

export type NumberedTable = 'activities' | 'requests' | 'trainings';

export async function nextNumber(db: Kysely<DB>, table: NumberedTable): Promise<number> {
  const { rows } = await sql<{ n: number | string | null }>`select max(number) as n from ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0) + 1;
}
