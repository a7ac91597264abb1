/** The schema's foreign keys (all single-column) (child table, its column, parent table), the same on both engines. */
import { sql, type Kysely } from '#kysely';
import { isPostgres } from './dialect.js';
import type { DB } from './schema/index.js';

export interface ForeignKeyColumn {
  child: string;
  from: string;
  parent: string;
}

/** Ordered by child table, then column, in code-point order (`collate "C"`, SQLite's BINARY): the same on both engines. */
export async function foreignKeyColumns(db: Kysely<DB>): Promise<ForeignKeyColumn[]> {
  const query = isPostgres(db)
    ? sql<ForeignKeyColumn>`
        select c.conrelid::regclass::text as child, a.attname::text as "from", c.confrelid::regclass::text as parent
        from pg_constraint c join pg_namespace ns on ns.oid = c.connamespace
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and ns.nspname = current_schema() and cardinality(c.conkey) = 1
        order by c.conrelid::regclass::text collate "C", a.attname::text collate "C"`
    : sql<ForeignKeyColumn>`
        select m.name as child, f."from" as "from", f."table" as parent
        from sqlite_master m join pragma_foreign_key_list(m.name) f
        where m.type = 'table' and m.name not like 'sqlite_%'
        order by 1, 2`;
  return (await query.execute(db)).rows;
}
