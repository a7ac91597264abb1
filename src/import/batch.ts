/**
 * A batch: one import that writes. Every row it inserts carries its id (import_batch_id) and starts at
 * rev 0; per table only the count of inserted rows is recorded (undo refuses when rows were removed
 * since), so undo stays cheap for a million inserted rows. Every row it updates keeps a before-image and
 * the rev the update leaves (rev + 1: the trigger of migration 0006), so undo can tell exactly whether
 * anything changed the row since.
 */
import { audit } from '../audit/audit.js';
import type { Op } from '../op.js';
import type { AnyStatements, Maybe, Row } from './statements.js';

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
  'activities',
  'requests',
  'trainings',
  'invoices',
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

/** Rows inserted into one table: how many, and the lowest and highest id. */
interface Inserted {
  first: number;
  last: number;
  count: number;
}

export interface BatchMark {
  readonly inserted: ReadonlyMap<string, Inserted>;
  readonly ownUpdated: ReadonlySet<BatchTable>;
}

function copyInserted(m: ReadonlyMap<string, Inserted>): Map<string, Inserted> {
  return new Map([...m].map(([t, r]) => [t, { ...r }]));
}

/** The columns of a before-image (import_batch_updates), in the order of BatchRecorder's values. */
const UPDATE_COLUMNS = ['batch_id', 'table_name', 'row_id', 'before_json', 'rev_after'] as const;

export class BatchRecorder {
  /** Largest id of each table when the batch began (sizes the importers' per-row bookkeeping). */
  readonly maxBefore = new Map<string, number>();
  private inserted = new Map<string, Inserted>();
  /** Tables where the batch updated rows it had inserted itself (their rev goes back to 0 at the end). */
  private ownUpdated = new Set<BatchTable>();
  private insertUpdate!: (values: readonly unknown[]) => Maybe<number>;

  private constructor(
    private readonly statements: AnyStatements,
    private readonly op: Op,
    readonly id: number,
  ) {}

  static async start(statements: AnyStatements, op: Op, entity: string, source: string): Promise<BatchRecorder> {
    const row = await statements.db
      .insertInto('import_batches')
      .values({ at: op.now, actor: op.actor, entity, source, status: 'applied', inserted: 0, updated: 0, unchanged: 0, rejected: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const b = new BatchRecorder(statements, op, row.id);
    for (const t of BATCH_TABLES) b.maxBefore.set(t, await b.maxId(t));
    b.insertUpdate = statements.inserter('import_batch_updates', UPDATE_COLUMNS);
    return b;
  }

  private async maxId(table: string): Promise<number> {
    const r = await this.statements.any
      .selectFrom(table)
      .select((eb: any) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    return Number((r as { m: number | null } | undefined)?.m ?? 0);
  }

  /**
   * Call before updating `row` (the whole row as stored now): a row of another origin keeps its
   * before-image and the rev this update leaves (undo restores the images newest first); a row this
   * batch inserted needs none (undo deletes it).
   */
  beforeUpdate(table: BatchTable, row: Row): Maybe<number | undefined> {
    const image = this.imageOf(table, row);
    return image && this.insertUpdate(image);
  }

  /** beforeUpdate of many rows of `table` at once: their before-images in one INSERT (one round trip). */
  async beforeUpdates(table: BatchTable, rows: readonly Row[]): Promise<void> {
    const images: unknown[][] = [];
    for (const row of rows) {
      const image = this.imageOf(table, row);
      if (image) images.push(image);
    }
    if (images.length === 0) return;
    const values = images.map((v) => Object.fromEntries(UPDATE_COLUMNS.map((c, k) => [c, v[k]])));
    await this.statements.any.insertInto('import_batch_updates').values(values).execute();
  }

  /** The values of `row`'s before-image (UPDATE_COLUMNS), or none for a row this batch inserted. */
  private imageOf(table: BatchTable, row: Row): unknown[] | undefined {
    if (row.import_batch_id !== this.id) return [this.id, table, row.id, JSON.stringify(row), Number(row.rev) + 1];
    this.ownUpdated.add(table);
    return undefined;
  }

  /** Every row the batch inserts is counted (its id: bounds a scan at the end). */
  noteInsert(table: BatchTable, id: number): void {
    this.noteInsertRange(table, id, id);
  }

  /** Rows first..last inserted at once (a multi-row INSERT). */
  noteInsertRange(table: BatchTable, first: number, last: number): void {
    this.noteInserted(table, first, last, last - first + 1);
  }

  /** `count` rows with ids from first to last, not necessarily consecutive (a COPY beside other sessions). */
  noteInserted(table: BatchTable, first: number, last: number, count: number): void {
    const r = this.inserted.get(table);
    if (!r) this.inserted.set(table, { first, last, count });
    else {
      r.first = Math.min(r.first, first);
      r.last = Math.max(r.last, last);
      r.count += count;
    }
  }

  /** The bookkeeping so far, for `restore` (a file run again after a rollback to a savepoint). */
  mark(): BatchMark {
    return { inserted: copyInserted(this.inserted), ownUpdated: new Set(this.ownUpdated) };
  }

  restore(m: BatchMark): void {
    this.inserted = copyInserted(m.inserted);
    this.ownUpdated = new Set(m.ownUpdated);
  }

  /** Records the inserted counts and the batch's counts, and writes the batch's one audit row. */
  async finish(counts: Counts, entities: Record<string, Counts>, extra: Record<string, unknown>): Promise<void> {
    // the batch's later writes to rows it inserted are part of inserting them: a new row leaves at rev 0
    for (const t of this.ownUpdated) {
      const from = this.inserted.get(t)?.first ?? 0;
      await this.statements.any
        .updateTable(t)
        .set({ rev: 0 })
        .where('id', '>=', from)
        .where('import_batch_id', '=', this.id)
        .where('rev', '!=', 0)
        .execute();
    }
    for (const [t, r] of this.inserted) {
      await this.statements.db
        .insertInto('import_batch_inserts')
        .values({ batch_id: this.id, table_name: t, first_id: r.first, last_id: r.last, row_count: r.count })
        .execute();
    }
    const summary = { entities, ...extra };
    await this.statements.db
      .updateTable('import_batches')
      .set({ ...counts, summary_json: JSON.stringify(summary) })
      .where('id', '=', this.id)
      .execute();
    await audit(this.statements.db, this.op, {
      action: 'import',
      entity: 'import',
      key: String(this.id),
      after: { ...counts, ...summary },
    });
  }
}
