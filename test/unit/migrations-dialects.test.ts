/**
 * The numbered migrations run on SQLite and PostgreSQL (migrations/dialect.ts). The ones released before
 * PostgreSQL support (0001-0006, as of commit 40c1dee; 8f246ab added migrations/dialect.ts) were edited
 * for PostgreSQL only on the condition that the SQLite schema they make stays byte for byte what it was:
 * test/fixtures/sqlite-schema-NNNN.sql is sqlite_master as the released migrations made it at each level,
 * written by `node scripts/gen-released-schemas.mjs 40c1dee` from git.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, SqliteDialect } from '#kysely';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { ROOT } from '../helpers/cli.js';
import { itPostgres, itSqlite } from '../helpers/engine.js';

const migrator = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

async function ok(p: Promise<{ error?: unknown }>): Promise<void> {
  const r = await p;
  if (r.error) throw r.error;
}

function sqliteSchema(sqlite: Database.Database): string {
  const rows = sqlite
    .prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'kysely_%' order by type, name")
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tbl_name}\n${r.sql ?? ''};\n`).join('\n');
}

/** The migrations released before PostgreSQL support: their SQLite schema is frozen. */
const RELEASED = ['0001_foundation', '0002_subscriptions', '0003_imports', '0004_notices', '0005_keys', '0006_row_batches'];

describe('migrations on both database engines', () => {
  itSqlite.each(RELEASED)(
    'the released migrations up to %s make exactly the schema they made before PostgreSQL support (SQLite only)',
    async (last) => {
      const sqlite = new Database(':memory:');
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
      await ok(migrator(db).migrateTo(last));
      const released = fs.readFileSync(path.join(ROOT, `test/fixtures/sqlite-schema-${last.slice(0, 4)}.sql`), 'utf8');
      expect(sqliteSchema(sqlite)).toBe(released);
      await db.destroy();
    },
  );

  itPostgres('every migration runs up, down to nothing and up again on an empty database (PostgreSQL only)', async () => {
    const base = process.env.ACCTMGR_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
    const name = `acctmgr_mig_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.href, max: 1 }) }) });
    try {
      await ok(migrator(db).migrateToLatest());
      const columns = await db
        .selectFrom('information_schema.columns')
        .select(['table_name', 'column_name', 'data_type', 'collation_name'])
        .where('table_schema', '=', 'public')
        .orderBy('table_name')
        .orderBy('column_name')
        .execute();
      // ids, counts and cents are 64-bit; text compares and sorts bytewise, never by the server's locale
      expect(columns.find((c) => c.table_name === 'subscriptions' && c.column_name === 'price_cents')?.data_type).toBe('bigint');
      expect(columns.find((c) => c.table_name === 'accounts' && c.column_name === 'id')?.data_type).toBe('bigint');
      const ours = columns.filter((c) => !c.table_name.startsWith('kysely_'));
      expect(ours.filter((c) => c.data_type === 'text' && c.collation_name !== 'C')).toEqual([]);
      expect(ours.filter((c) => c.data_type === 'integer')).toEqual([]);
      await ok(migrator(db).migrateTo(NO_MIGRATIONS));
      const left = await db.selectFrom('information_schema.tables').select('table_name').where('table_schema', '=', 'public').execute();
      expect(left.map((t) => t.table_name).sort()).toEqual(['kysely_migration', 'kysely_migration_lock']);
      await ok(migrator(db).migrateToLatest());
    } finally {
      await db.destroy();
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    }
  });
});
