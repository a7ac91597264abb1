/**
 * A batch: one import that writes. Inserted rows are recorded as id ranges per table (AUTOINCREMENT ids
 * in one write transaction are contiguous and never reused), updated rows as before-images, so undo
 * stays cheap for a million inserted rows.
 */
import { audit } from '../audit/audit.js';
import type { Op } from '../op.js';
import type { Sql, Row } from './sql.js';

/** Tables an import inserts into, in dependency order (undo deletes in reverse). */
export const BATCH_TABLES = [
  'managers',
  'account_groups',
  'accounts',
  'contacts',
  'products',
  'plans',
  'plan_prices',
  'subscriptions',
  'seats',
  'login_events',
] as const;
export type BatchTable = (typeof BATCH_TABLES)[number];

export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export function zeroCounts(): Counts {
  return { inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
}

interface Inserted {
  first: number;
  last: number;
  count: number;
}

export class BatchRecorder {
  /** Largest id of each table when the batch began (sizes the importers' per-row bookkeeping). */
  readonly maxBefore = new Map<string, number>();
  private readonly inserted = new Map<string, Inserted>();
  private insertUpdate!: (values: readonly unknown[]) => number;

  private constructor(
    private readonly sql: Sql,
    private readonly op: Op,
    readonly id: number,
  ) {}

  static async start(sql: Sql, op: Op, entity: string, source: string): Promise<BatchRecorder> {
    const row = await sql.db
      .insertInto('import_batches')
      .values({ at: op.now, actor: op.actor, entity, source, status: 'applied', inserted: 0, updated: 0, unchanged: 0, rejected: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const b = new BatchRecorder(sql, op, row.id);
    for (const t of BATCH_TABLES) b.maxBefore.set(t, await b.maxId(t));
    b.insertUpdate = sql.inserter('import_batch_updates', ['batch_id', 'table_name', 'row_id', 'before_json']);
    return b;
  }

  private async maxId(table: string): Promise<number> {
    const r = await this.sql.any
      .selectFrom(table)
      .select((eb: any) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    return Number((r as { m: number | null } | undefined)?.m ?? 0);
  }

  /** Keeps the row as it was before this change (undo restores the images newest first). */
  recordUpdate(table: BatchTable, before: Row): void {
    this.insertUpdate([this.id, table, before.id, JSON.stringify(before)]);
  }

  /** Every row the batch inserts is noted: ids only grow within the one transaction. */
  noteInsert(table: BatchTable, id: number): void {
    const r = this.inserted.get(table);
    if (!r) this.inserted.set(table, { first: id, last: id, count: 1 });
    else {
      r.last = id;
      r.count++;
    }
  }

  /** Rows first..last inserted at once (a multi-row INSERT). */
  noteInsertRange(table: BatchTable, first: number, last: number): void {
    const r = this.inserted.get(table);
    if (!r) this.inserted.set(table, { first, last, count: last - first + 1 });
    else {
      r.last = last;
      r.count += last - first + 1;
    }
  }

  /** True for a row this batch inserted (undo deletes it, so it needs no before-image). */
  isNew(table: BatchTable, id: number): boolean {
    const r = this.inserted.get(table);
    return r !== undefined && id >= r.first;
  }

  /** Records the inserted ranges and the counts, and writes the batch's one audit row. */
  async finish(counts: Counts, entities: Record<string, Counts>, extra: Record<string, unknown>): Promise<void> {
    for (const [t, r] of this.inserted) {
      await this.sql.db
        .insertInto('import_batch_inserts')
        .values({ batch_id: this.id, table_name: t, first_id: r.first, last_id: r.last, row_count: r.count })
        .execute();
    }
    const summary = { entities, ...extra };
    await this.sql.db
      .updateTable('import_batches')
      .set({ ...counts, summary_json: JSON.stringify(summary) })
      .where('id', '=', this.id)
      .execute();
    await audit(this.sql.db, this.op, { action: 'import', entity: 'import', key: String(this.id), after: { ...counts, ...summary } });
  }
}
