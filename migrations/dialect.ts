/**
 * What differs between SQLite and PostgreSQL in the schema, in one place, so every numbered migration
 * runs on both. On SQLite the helpers give exactly the SQL the migrations gave before PostgreSQL was
 * supported (test/unit/migrations-dialects.test.ts compares sqlite_master with stored copies).
 * - ids: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite, a 64-bit identity column on PostgreSQL;
 * - whole numbers (ids, counts, money in cents): SQLite's INTEGER is 64-bit already, PostgreSQL's is
 *   32-bit, so there they are BIGINT (amounts up to 2^53 - 1 cents fit);
 * - text compares and sorts bytewise (code-point order) on both: SQLite's default BINARY collation,
 *   PostgreSQL's "C" collation on every text column, never the server's locale, so lists come out in
 *   the same order on both.
 */
import { PostgresAdapter, sql, type ColumnDataType, type CreateTableBuilder, type Expression, type Kysely } from '#kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** `.$call(withId(db))`: the table's generated primary key `id`. */
export function withId(db: Kysely<any>) {
  return <T extends string>(t: CreateTableBuilder<T, any>): CreateTableBuilder<T, any> =>
    isPostgres(db)
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** A 64-bit whole number column. */
export function int(db: Kysely<any>): ColumnDataType {
  return isPostgres(db) ? 'bigint' : 'integer';
}

/** A text column: compared and sorted by its bytes (code points), never by a locale. */
export function text(db: Kysely<any>): ColumnDataType | Expression<unknown> {
  return isPostgres(db) ? sql`text collate "C"` : 'text';
}
