/**
 * Bulk helpers on PostgreSQL (the counterparts of src/db/bulk.ts's SQLite ones). A large import into a
 * table loads it with COPY (src/db/pg-copy.ts); keeping its secondary indexes and foreign keys up to date
 * row by row costs far more than the load itself (a million contacts, measured: ≈ 3.5 s without them, ≈ 11 s
 * with the indexes, ≈ 32 s with the foreign-key triggers too), while rebuilding them afterwards costs ≈ 3 s.
 * So, when the connected role owns the table, the import drops them inside its transaction and
 * recreates them from their exact stored definitions before it commits. DDL is transactional on
 * PostgreSQL: a rollback, a crash or a SIGKILL (the server rolls back the dead session's transaction)
 * brings them back with the rows; a recreated UNIQUE index or foreign key over rows that break it fails,
 * and the whole import with it. Dropping them locks the table (readers of it wait for the import's commit).
 * The import's constant columns become, as long as it loads, those columns' defaults (the same way back).
 * A role that does not own the table (a team member: docs/team.md) loads it with them in place.
 */
import { sql, type Kysely, type RawBuilder } from '#kysely';
import type { DB } from './schema/index.js';

/** The ids that are not the `id` of any row of `table` (empty: every reference holds); one query. */
export async function pgMissingIds(db: Kysely<DB>, table: string, ids: Iterable<number>): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select x.id from unnest(${[...ids]}::bigint[]) as x(id)
    where not exists (select 1 from ${sql.table(table)} t where t.id = x.id)`.execute(db);
  return rows.map((r) => Number(r.id));
}

/** Recreates what `pgSuspendIndexes` dropped and puts the defaults back; call it inside the same transaction. */
export interface PgSuspended {
  /** false: the role does not own the table, nothing was dropped (nor any default set) */
  suspended: boolean;
  restore(): Promise<void>;
}

/** Nothing suspended: the table loaded with its indexes and foreign keys in place. */
export const NOT_SUSPENDED: PgSuspended = { suspended: false, restore: async () => undefined };

/** Memory the server may use to sort a rebuilt index (its own, not this process's). */
const REBUILD_MEMORY = '128MB';

/**
 * What a bulk load may suspend of `table` — its secondary indexes (those no constraint owns: not the primary
 * key; partial ones stay, as on SQLite: src/db/bulk.ts) and its foreign keys — when the connected role may
 * (it owns the table, may create in its schema — an index is made there again —, and may reference the
 * referenced tables): undefined when it may not. `suspend` drops them, called later (before the first row is
 * copied: a file that inserts nothing never calls it); it first locks the table ACCESS EXCLUSIVE, as the drop
 * would, waiting for the sessions that read it to finish (until the commit nobody reads or writes it). The
 * definitions read here stay true meanwhile if the caller holds a lock that keeps DDL out (a bulk load holds
 * SHARE ROW EXCLUSIVE from its start: src/import/bulk/pg-bulk-table.ts). With `defaults`, those columns' defaults become these values until `restore` (the import's constant columns —
 * its timestamps and batch id —, which a COPY then leaves out of every row: a million contacts send ≈ 44 MB
 * less, and the server parses less).
 */
export async function pgSuspension(
  db: Kysely<any>,
  table: string,
  defaults: Record<string, string | number> = {},
): Promise<{ suspend(): Promise<PgSuspended> } | undefined> {
  const { rows: own } = await sql<{ ok: boolean }>`
    select pg_has_role(c.relowner, 'USAGE') and has_schema_privilege(c.relnamespace, 'CREATE') as ok
    from pg_class c where c.oid = ${table}::regclass`.execute(db);
  const { rows: fks } = await sql<{ name: string; def: string; ok: boolean }>`
    select conname as name, pg_get_constraintdef(oid) as def, has_table_privilege(confrelid, 'REFERENCES') as ok
    from pg_constraint where conrelid = ${table}::regclass and contype = 'f' order by conname`.execute(db);
  if (!own[0]?.ok || fks.some((f) => !f.ok)) return undefined;
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.relname as name, pg_get_indexdef(x.indexrelid) as def
    from pg_index x join pg_class i on i.oid = x.indexrelid
    where x.indrelid = ${table}::regclass and x.indpred is null
      and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
    order by i.relname`.execute(db);
  return {
    suspend: async () => {
      await sql`lock table ${sql.table(table)} in access exclusive mode`.execute(db);
      for (const f of fks) await sql`alter table ${sql.table(table)} drop constraint ${sql.id(f.name)}`.execute(db);
      for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(db);
      const putBack = await setDefaults(db, table, defaults);
      return {
        suspended: true,
        restore: async () => {
          await putBack();
          await sql.raw(`set local maintenance_work_mem = '${REBUILD_MEMORY}'`).execute(db);
          for (const ix of indexes) await sql.raw(ix.def).execute(db);
          for (const f of fks) await sql`alter table ${sql.table(table)} add constraint ${sql.id(f.name)} ${sql.raw(f.def)}`.execute(db);
        },
      };
    },
  };
}

/** pgSuspension's indexes and foreign keys dropped at once (NOT_SUSPENDED when the role may not). */
export async function pgSuspendIndexes(
  db: Kysely<any>,
  table: string,
  defaults: Record<string, string | number> = {},
): Promise<PgSuspended> {
  const suspension = await pgSuspension(db, table, defaults);
  return suspension ? suspension.suspend() : NOT_SUSPENDED;
}

/** Sets the columns' defaults to `values` (one ALTER TABLE); the function that puts the stored ones back. */
async function setDefaults(db: Kysely<any>, table: string, values: Record<string, string | number>): Promise<() => Promise<void>> {
  const columns = Object.keys(values);
  if (columns.length === 0) return async () => undefined;
  const { rows: stored } = await sql<{ name: string; def: string | null }>`
    select a.attname as name, pg_get_expr(d.adbin, d.adrelid) as def
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = ${table}::regclass and a.attname = any(${columns}) and not a.attisdropped`.execute(db);
  if (stored.length !== columns.length) throw new Error(`bulk import: ${table} has no column among ${columns.join(', ')}`);
  const alter = (set: readonly RawBuilder<unknown>[]) => sql`alter table ${sql.table(table)} ${sql.join(set)}`.execute(db);
  await alter(columns.map((c) => sql`alter column ${sql.id(c)} set default ${sql.lit(values[c])}`));
  return async () => {
    await alter(
      stored.map((c) =>
        c.def === null
          ? sql`alter column ${sql.id(c.name)} drop default`
          : sql`alter column ${sql.id(c.name)} set default ${sql.raw(c.def)}`,
      ),
    );
  };
}
