/**
 * The numbered migrations run on SQLite and PostgreSQL (migrations/dialect.ts). A released migration may
 * be edited (for PostgreSQL) only where the SQLite schema it makes stays byte for byte what it was:
 * test/fixtures/sqlite-schema-NNNN.sql is sqlite_master at each level, from git — 0001-0006 as they were
 * released before PostgreSQL support (commit 40c1dee; 8f246ab added migrations/dialect.ts), the later ones
 * as they were when they landed (`node scripts/gen-released-schemas.mjs REV`, test/fixtures/README.md). A new
 * migration gets its file when it lands; from then on this test holds it to it.
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

/** Every migration: its SQLite schema is frozen in a fixture once it has landed. */
const RELEASED = Object.keys(migrations).sort();

describe('migrations on both database engines', () => {
  itSqlite.each(RELEASED)('the migrations up to %s make exactly the SQLite schema they made when released (SQLite only)', async (last) => {
    const sqlite = new Database(':memory:');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    await ok(migrator(db).migrateTo(last));
    const file = path.join(ROOT, `test/fixtures/sqlite-schema-${last.slice(0, 4)}.sql`);
    // a new migration: its schema is written once, from the commit that adds it (test/fixtures/README.md)
    expect(fs.existsSync(file), `${file} is missing: node scripts/gen-released-schemas.mjs HEAD, keeping the older files as they are`).toBe(
      true,
    );
    const released = fs.readFileSync(file, 'utf8');
    expect(sqliteSchema(sqlite)).toBe(released);
    await db.destroy();
  });

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
