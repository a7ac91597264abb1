/**
 * The import's statements on PostgreSQL: each compiled once with kysely, then run per row through the
 * transaction with the row's parameters (node-postgres answers later: Promises). Inserts return the new
 * id with `returning id` (no last-insert id on PostgreSQL). With the import's own session (its pinned
 * connection: src/db/pg-copy.ts) a large file is loaded with COPY (src/import/bulk/pg-bulk-table.ts).
 */
import { CompiledQuery, type Compilable, type Kysely, type SelectQueryBuilder } from '#kysely';
import { pgMissingIds } from '../db/pg-bulk.js';
import type { PgSession } from '../db/pg-copy.js';
import type { BulkLoad, BulkTableOptions } from './bulk/load.js';
import { PgBulkTable } from './bulk/pg-bulk-table.js';
import type { DB } from '../db/schema/index.js';
import type { Row, RunResult, Statements } from './statements.js';

/** Rows a scan fetches at a time (a round trip each). */
const SCAN_PAGE = 10_000;

export class PgStatements implements Statements<'later'> {
  readonly timing = 'later';
  readonly openBulk: ((o: BulkTableOptions) => Promise<BulkLoad>) | undefined;

  /** `session`: the connection `db` runs on, when it is the import's own (COPY needs it). */
  constructor(
    readonly db: Kysely<DB>,
    session?: PgSession,
  ) {
    this.openBulk = session && ((o) => PgBulkTable.open(this, session, o));
  }

  get any(): Kysely<any> {
    return this.db as Kysely<any>;
  }

  private prepare(query: Compilable): (params: readonly unknown[]) => Promise<Row[]> {
    const text = query.compile().sql;
    return async (params) => (await this.db.executeQuery<Row>(CompiledQuery.raw(text, [...params]))).rows;
  }

  getter(query: Compilable): (...params: unknown[]) => Promise<Row | undefined> {
    const st = this.prepare(query);
    return async (...params) => (await st(params))[0];
  }

  all(query: Compilable): (...params: unknown[]) => Promise<Row[]> {
    const st = this.prepare(query);
    return (...params) => st(params);
  }

  scan(query: SelectQueryBuilder<any, any, object>): () => AsyncIterable<unknown[][]> {
    // pages of SCAN_PAGE rows: a million stored keys in ≈ 0.55–0.8 s, against 0.75–1.7 s in pages of 1,000
    const compiled = query.compile();
    const executor = this.db.getExecutor();
    return async function* () {
      for await (const chunk of executor.stream<Row>(compiled, SCAN_PAGE)) yield chunk.rows.map((r) => Object.values(r));
    };
  }

  run(query: Compilable): (params: readonly unknown[]) => Promise<RunResult> {
    const text = query.compile().sql;
    return async (params) => {
      const r = await this.db.executeQuery<Row>(CompiledQuery.raw(text, [...params]));
      const last = r.rows[r.rows.length - 1];
      return { changes: Number(r.numAffectedRows ?? r.rows.length), lastId: Number(last?.id ?? 0) };
    };
  }

  inserter(table: string, columns: readonly string[]): (values: readonly unknown[]) => Promise<number> {
    const st = this.prepare(this.any.insertInto(table).values(placeholders(columns)).returning('id'));
    return async (values) => (await st(values))[0]!.id as number;
  }

  insertIfNew(table: string, columns: readonly string[]): (values: readonly unknown[]) => Promise<number | undefined> {
    const st = this.prepare(
      this.any
        .insertInto(table)
        .values(placeholders(columns))
        .onConflict((oc: any) => oc.doNothing())
        .returning('id'),
    );
    return async (values) => (await st(values))[0]?.id as number | undefined;
  }

  updater(table: string, columns: readonly string[]): (id: number, values: readonly unknown[]) => Promise<void> {
    const st = this.prepare(this.any.updateTable(table).set(placeholders(columns)).where('id', '=', 0));
    return async (id, values) => void (await st([...values, id]));
  }

  byId(table: string): (id: number) => Promise<Row | undefined> {
    return this.getter(this.any.selectFrom(table).selectAll().where('id', '=', 0));
  }

  /** The server always enforces its foreign keys (nothing turns them off for an import). */
  foreignKeysEnforced(): Promise<boolean> {
    return Promise.resolve(true);
  }

  missingIds(table: string, ids: Iterable<number>): Promise<number[]> {
    return pgMissingIds(this.db, table, ids);
  }
}

/** Each column once, with a placeholder value (the statement takes the real ones as parameters). */
function placeholders(columns: readonly string[]): Record<string, null> {
  return Object.fromEntries(columns.map((c) => [c, null]));
}
