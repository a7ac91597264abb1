/**
 * The unique keys `db check` looks for by queries (src/db/schema/unique-keys.ts): the list is every
 * unique index and constraint that the migrations give a new database on each engine, so it cannot
 * drift from them; and rows that share a key whose index is gone are found on both engines.
 */
import { sql, type Kysely } from '#kysely';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/composites/doctor.js';
import type { DbHandle } from '../../src/db/connection.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import type { DB } from '../../src/db/schema/index.js';
import { UNIQUE_KEYS, type UniqueKey } from '../../src/db/schema/unique-keys.js';
import { newDbLocation, openTestDb, removeDb } from '../helpers/db.js';
import { itPostgres, onPostgres } from '../helpers/engine.js';
import { seeder } from '../helpers/seed.js';

/** `table(column, …)`, an expression as `coalesce(column, value)`. */
const listed = (k: UniqueKey) =>
  `${k.table}(${k.columns.map((c) => (k.nullAs?.column === c ? `coalesce(${c}, ${k.nullAs.value})` : c)).join(', ')})`;

/** PostgreSQL's `COALESCE(max_students, '-1'::integer::bigint)` as the list writes it. */
const plain = (part: string) =>
  part
    .toLowerCase()
    .replace(/::[a-z ]+/g, '')
    .replace(/'(-?\d+)'/g, '$1')
    .replace(/"/g, '');

/** Every unique index and constraint the catalogue lists (kysely's own tables aside), SQLite's rowid keys apart. */
async function catalogKeys(db: Kysely<DB>): Promise<{ keys: string[]; rowid: string[] }> {
  if (onPostgres) {
    const { rows } = await sql<{ table: string; parts: string[] }>`
      select i.indrelid::regclass::text as table,
        array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k) as parts
      from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where i.indisunique and n.nspname = current_schema() and c.relname not like 'kysely%'`.execute(db);
    return { keys: rows.map((r) => `${r.table}(${r.parts.map(plain).join(', ')})`).sort(), rowid: [] };
  }
  const { rows: tables } = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely%'`.execute(db);
  const keys: string[] = [];
  const rowid: string[] = [];
  for (const { name } of tables) {
    const { rows: pk } = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name}) where pk > 0`.execute(
      db,
    );
    // an INTEGER PRIMARY KEY is the rowid: no index of its own
    if (pk.length === 1 && pk[0]!.type.toLowerCase() === 'integer') rowid.push(`${name}(${pk[0]!.name})`);
    const { rows: indexes } = await sql<{ name: string; sql: string | null }>`
      select l.name, m.sql from pragma_index_list(${name}) l left join sqlite_master m on m.name = l.name where l."unique" = 1`.execute(db);
    for (const ix of indexes) {
      const { rows: parts } = await sql<{ name: string | null }>`
        select name from pragma_index_xinfo(${ix.name}) where key = 1 order by seqno`.execute(db);
      const expressions = ix.sql === null ? [] : topLevelParts(ix.sql);
      keys.push(`${name}(${parts.map((p, i) => p.name ?? plain(expressions[i]!)).join(', ')})`);
    }
  }
  return { keys: [...keys, ...rowid].sort(), rowid: rowid.sort() };
}

/** The parts of `CREATE … INDEX … (a, coalesce(b, -1), c)` between its last top-level parentheses. */
function topLevelParts(create: string): string[] {
  const open = create.indexOf('(', create.lastIndexOf(' on '));
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of create.slice(open + 1, create.lastIndexOf(')'))) {
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    current += ch;
  }
  return [...parts, current.trim()];
}

/** A new migrated database, open, removed after `fn` (not checked on close: the tests leave it broken). */
async function withDb(fn: (h: DbHandle) => Promise<void>): Promise<void> {
  const location = await newDbLocation();
  const h = await openTestDb(location);
  try {
    await fn(h);
    expect((await checkDatabase(h)).ok).toBe(false);
  } finally {
    await h.close();
    await removeDb(location);
  }
}

describe('the unique keys db check looks for', () => {
  it('are every unique index and constraint a freshly migrated database has', async () => {
    await withDb(async ({ db }) => {
      const { keys, rowid } = await catalogKeys(db);
      expect(UNIQUE_KEYS.map(listed).sort()).toEqual(keys);
      // SQLite: the keys db check leaves to the engine are exactly its rowid keys
      if (!onPostgres)
        expect(
          UNIQUE_KEYS.filter((k) => k.rowid)
            .map(listed)
            .sort(),
        ).toEqual(rowid);
      // (checkDatabase must then fail: break one key)
      await sql`drop index accounts_external_id_key`.execute(db);
      const s = seeder(db);
      await s.account('SCH-1');
      await sql`insert into accounts (external_id, external_id_key, name, type, status, created_at, updated_at)
        values ('sch-1', 'sch-1', 'Twin', 'school', 'active', 'x', 'x')`.execute(db);
    });
  });

  it('report rows that share a key whose index was dropped: a folded key, a key per account, a missing bound', async () => {
    await withDb(async (h) => {
      const db = h.db;
      const s = seeder(db);
      const a = await s.account('SCH-1');
      const b = await s.account('SCH-2');
      const ewa = await s.contact(a, 'ewa@school.example');
      await s.contact(b, 'ewa@school.example'); // another account: not the same key
      // two subscriptions without an activation code hold no key (a null is no value, as in the index)
      const sub = await s.subscription('S-1', { account: a });
      await s.subscription('S-2', { account: a });
      const { plan_id } = await db.selectFrom('subscriptions').select('plan_id').where('id', '=', sub).executeTakeFirstOrThrow();
      // one price for any number of students (max_students null) and 12 months, and one for up to 100
      const price = (max_students: number | null) =>
        db
          .insertInto('plan_prices')
          .values({ plan_id, max_students, term_months: 12, amount_cents: 100, created_at: 'x', updated_at: 'x' })
          .returning('id')
          .executeTakeFirstOrThrow();
      const any = await price(null);
      await price(100);
      for (const ix of ['accounts_external_id_key', 'contacts_email_key', 'plan_prices_row'])
        await sql`drop index ${sql.id(ix)}`.execute(db);
      const twin = await s.account('sch-1', { name: 'Twin' });
      const again = await s.contact(a, 'EWA@school.example');
      const anyAgain = await price(null);
      const report = await checkDatabase(h);
      expect(report.duplicate_keys).toEqual([
        { table: 'accounts', columns: ['external_id_key'], values: ['sch-1'], rows: 2, ids: [a, twin] },
        { table: 'contacts', columns: ['account_id', 'email_key'], values: [a, 'ewa@school.example'], rows: 2, ids: [ewa, again] },
        {
          table: 'plan_prices',
          columns: ['plan_id', 'max_students', 'term_months'],
          values: [plan_id, null, 12],
          rows: 2,
          ids: [any.id, anyAgain.id],
        },
      ]);
      expect(report.ok).toBe(false);
      expect(report.integrity).toEqual(['ok']);
      // doctor names them among the database's problems
      expect((await runDoctor(h, '2026-11-25')).find((f) => f.check === 'database')?.problem).toBe('3 key(s) held by more than one row');
    });
  });

  itPostgres(
    'report rows that share an id once its primary key is dropped, and a table without ids by its key (PostgreSQL only)',
    async () => {
      await withDb(async (h) => {
        const db = h.db;
        const s = seeder(db);
        const a = await s.account('SCH-1');
        await sql`alter table accounts drop constraint accounts_pkey cascade`.execute(db);
        await sql`insert into accounts (id, external_id, external_id_key, name, type, status, created_at, updated_at)
        values (${a}, 'SCH-2', 'sch-2', 'Same id', 'school', 'active', 'x', 'x')`.execute(db);
        await sql`alter table settings drop constraint settings_pkey`.execute(db);
        await sql`insert into settings (name, value, updated_at) values ('x', '1', 'x'), ('x', '2', 'x')`.execute(db);
        const report = await checkDatabase(h);
        expect(report.duplicate_keys).toEqual([
          { table: 'accounts', columns: ['id'], values: [a], rows: 2, ids: [a, a] },
          { table: 'settings', columns: ['name'], values: ['x'], rows: 2, ids: [] },
        ]);
      });
    },
  );
});
