/** Whether a database holds any row of acctmgr's (the migrations' own bookkeeping aside). */
import { sql, type Kysely } from '#kysely';
import type { DB } from './schema/index.js';

export async function holdsNoRows(db: Kysely<DB>): Promise<boolean> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_migration'));
  for (const t of tables) {
    const { rows } = await sql`select 1 from ${sql.table(t)} limit 1`.execute(db);
    if (rows.length > 0) return false;
  }
  return true;
}
