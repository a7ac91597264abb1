/**
 * Statements prepared once and run per row through the better-sqlite3 handle (the import's hot path:
 * a kysely round trip per row would cost more than the whole budget). The SQL text still comes from
 * kysely, compiled once with placeholder values, so it stays portable and typed by table name.
 */
import type Database from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';

export type Row = Record<string, unknown>;

export class Sql {
  constructor(
    readonly db: Kysely<DB>,
    readonly sqlite: Database.Database,
  ) {}

  /** The database as an untyped builder for table names chosen at run time. */
  get any(): Kysely<any> {
    return this.db as Kysely<any>;
  }

  /** A compiled query; run it with parameters in the order kysely placed them. */
  prepare(query: Compilable): Database.Statement {
    return this.sqlite.prepare(query.compile().sql);
  }

  /** `get(...params)` → the first row or undefined. */
  getter(query: Compilable): (...params: unknown[]) => Row | undefined {
    const st = this.prepare(query);
    return (...params) => st.get(...params) as Row | undefined;
  }

  /** INSERT of these columns; returns the new row's id. */
  inserter(table: string, columns: readonly string[]): (values: readonly unknown[]) => number {
    const st = this.prepare(this.any.insertInto(table).values(Object.fromEntries(columns.map((c) => [c, null]))));
    return (values) => Number(st.run(...values).lastInsertRowid);
  }

  /** UPDATE of these columns by id. */
  updater(table: string, columns: readonly string[]): (id: number, values: readonly unknown[]) => void {
    const st = this.prepare(
      this.any
        .updateTable(table)
        .set(Object.fromEntries(columns.map((c) => [c, null])))
        .where('id', '=', 0),
    );
    return (id, values) => void st.run(...values, id);
  }

  /** A whole row by id. */
  byId(table: string): (id: number) => Row | undefined {
    return this.getter(this.any.selectFrom(table).selectAll().where('id', '=', 0));
  }
}
