/**
 * `db check` on PostgreSQL: every foreign key checked by a query, reported as SQLite's
 * `foreign_key_check` reports it (the child table, the row's id, the parent table). The server enforces
 * its foreign keys, so this finds only what was written around them (constraints once disabled or
 * dropped and restored NOT VALID). Tables in code-point order (`collate "C"`), as SQLite's: never the
 * database's collation, which may ignore the `_` of `training_steps`.
 */
import { sql, type Kysely } from '#kysely';
import type { DB } from './schema/index.js';

interface ForeignKey {
  child: string;
  parent: string;
  child_columns: string[];
  parent_columns: string[];
  has_id: boolean;
}

export async function pgForeignKeyViolations(db: Kysely<DB>): Promise<{ table: string; rowid: number | null; parent: string }[]> {
  const { rows: keys } = await sql<ForeignKey>`
    select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
      array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as child_columns,
      array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i)
            join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as parent_columns,
      exists(select 1 from pg_attribute a where a.attrelid = c.conrelid and a.attname = 'id' and not a.attisdropped) as has_id
    from pg_constraint c join pg_namespace ns on ns.oid = c.connamespace
    where c.contype = 'f' and ns.nspname = current_schema()
    order by c.conrelid::regclass::text collate "C", c.confrelid::regclass::text collate "C"`.execute(db);
  const out: { table: string; rowid: number | null; parent: string }[] = [];
  for (const k of keys) {
    const notNull = sql.join(
      k.child_columns.map((c) => sql`ch.${sql.id(c)} is not null`),
      sql` and `,
    );
    const match = sql.join(
      k.child_columns.map((c, i) => sql`p.${sql.id(k.parent_columns[i]!)} = ch.${sql.id(c)}`),
      sql` and `,
    );
    // a table without an id column is reported with rowid null (SQLite names its rowid)
    const id = k.has_id ? sql`ch.id` : sql`null`;
    const { rows } = await sql<{ id: number | null }>`
      select ${id} as id from ${sql.table(k.child)} ch
      where ${notNull} and not exists (select 1 from ${sql.table(k.parent)} p where ${match})
      order by 1 limit 100`.execute(db);
    out.push(...rows.map((r) => ({ table: k.child, rowid: r.id === null ? null : Number(r.id), parent: k.parent })));
  }
  return out;
}
