/**
 * A table's reference to its own rows (account parents, renewal chains) as an import sets it: a row may
 * name one later in the file (set at the end), and the references must not loop.
 */
import { findParentCycles } from '../../accounts/rules.js';
import type { BatchTable } from '../batch.js';
import type { RowProblem } from '../errors.js';
import { isPromise, type Maybe, type Row } from '../statements.js';
import type { IdLines } from './common.js';
import type { Deferred, ImportContext, RowOutcome } from './types.js';

export interface ChainLink {
  line: number;
  /** the reference as written in the file */
  text: string;
  /** what the row loop counted the row as: a row refused here is counted as rejected instead */
  outcome?: RowOutcome;
}

/**
 * `links`: rows whose reference this import set (id → where). `lookup(id)` gives a row's external_id
 * and parent_id as stored now. Each loop is reported once, on the line of a row of the file.
 */
export async function chainCycles(
  links: ReadonlyMap<number, ChainLink>,
  lookup: (id: number) => Maybe<Row | undefined>,
  field: string,
  rule: string,
): Promise<Deferred[]> {
  const rows = new Map<number, Row | undefined>();
  const rowOf = async (id: number): Promise<Row | undefined> => {
    if (rows.has(id)) return rows.get(id);
    const r = lookup(id);
    const row = isPromise(r) ? await r : r;
    rows.set(id, row);
    return row;
  };
  const parentOf = new Map<number, number | null>();
  for (const start of links.keys()) {
    for (let cur: number | null = start; cur !== null && !parentOf.has(cur);) {
      const p: number | null = ((await rowOf(cur))?.parent_id as number | null | undefined) ?? null;
      parentOf.set(cur, p);
      cur = p;
    }
  }
  const out: Deferred[] = [];
  for (const loop of findParentCycles(parentOf)) {
    const at = loop.find((id) => links.has(id))!;
    const names: string[] = [];
    for (const id of loop) names.push(String((await rowOf(id))?.external_id));
    const { line, text, outcome } = links.get(at)!;
    out.push({ line, problems: [{ field, value: text, rule: `${rule}: ${names.join(' → ')}` }], outcome });
  }
  return out;
}

export interface SelfReferenceOptions {
  table: BatchTable;
  /** The file's column that names the referenced row (its key as written). */
  column: string;
  /** The stored reference (an id of the same table). */
  stored: string;
  /** The rule of a reference that no row has, and of a loop. */
  unresolved: string;
  cycle: string;
  /** The row with this key (folded), as stored now. */
  byKey: (key: string) => Maybe<Row | undefined>;
  /** A row's external_id and its reference as `parent_id`, as stored now. */
  linkOf: (id: number) => Maybe<Row | undefined>;
}

/** An applied row that names a reference. */
interface Link extends ChainLink {
  id: number;
  /** the referenced key, folded */
  key: string;
  /** the referenced row was not there yet (later in the file, or nowhere) */
  pending: boolean;
  /** the stored reference before this import; undefined for a row it inserted */
  before: number | null | undefined;
}

export class SelfReferences {
  private readonly links: Link[] = [];
  private readonly set: (id: number, values: readonly unknown[]) => Maybe<void>;
  private readonly byId: (id: number) => Maybe<Row | undefined>;

  /** `touched`: the rows of the table this file applied, by id → line. */
  constructor(
    private readonly ctx: ImportContext,
    private readonly touched: IdLines,
    private readonly o: SelfReferenceOptions,
  ) {
    this.set = ctx.statements.updater(o.table, [o.stored]);
    this.byId = ctx.statements.byId(o.table);
  }

  /**
   * Row `id`, applied from `line` (counted as `outcome`), names `text` (folded: `key`); `existing`: the row
   * as stored before.
   */
  note(id: number, line: number, outcome: RowOutcome, text: string, key: string, pending: boolean, existing: Row | undefined): void {
    const before = existing ? (existing[this.o.stored] as number | null) : undefined;
    this.links.push({ id, line, outcome, text, key, pending, before });
  }

  /** Sets the references to rows later in the file; the rows whose reference no row has, and loops. */
  async finish(): Promise<Deferred[]> {
    const deferred: Deferred[] = [];
    for (const l of this.links) {
      if (!l.pending) continue;
      const to = await this.o.byKey(l.key);
      if (!to) deferred.push(this.unresolved(l));
      else {
        await this.ctx.batch.beforeUpdate(this.o.table, (await this.byId(l.id))!);
        await this.set(l.id, [to.id]);
      }
    }
    deferred.push(...(await chainCycles(new Map(this.links.map((l) => [l.id, l])), this.o.linkOf, this.o.column, this.o.cycle)));
    return deferred;
  }

  /**
   * What `finish` would refuse in a run of the same file that leaves out the `excluded` lines, from this
   * run's links and the database as it left it. A reference then holds when its row was stored before
   * the import or is a row of the file that stays (a later row with a left-out row's key is its
   * duplicate: src/import/row-loop.ts); the rows left out keep their stored reference.
   */
  async refusedWithout(excluded: ReadonlyMap<number, readonly RowProblem[]>): Promise<Deferred[]> {
    const maxBefore = this.ctx.batch.maxBefore.get(this.o.table) ?? 0;
    const target = async (key: string): Promise<number | undefined> => {
      const id = (await this.o.byKey(key))?.id as number | undefined;
      if (id === undefined) return undefined;
      const line = this.touched.get(id);
      return id <= maxBefore || (line !== undefined && !excluded.has(line)) ? id : undefined;
    };
    const staying = this.links.filter((l) => !excluded.has(l.line));
    const parents = new Map<number, number | null>();
    for (const l of this.links) if (excluded.has(l.line) && l.before !== undefined) parents.set(l.id, l.before);
    const deferred: Deferred[] = [];
    for (const l of staying) {
      const to = await target(l.key);
      if (to === undefined) deferred.push(this.unresolved(l));
      parents.set(l.id, to ?? l.before ?? null);
    }
    const lookup = async (id: number): Promise<Row | undefined> => {
      const row = await this.o.linkOf(id);
      return row && parents.has(id) ? { ...row, parent_id: parents.get(id) } : row;
    };
    deferred.push(...(await chainCycles(new Map(staying.map((l) => [l.id, l])), lookup, this.o.column, this.o.cycle)));
    return deferred;
  }

  private unresolved(l: Link): Deferred {
    return { line: l.line, problems: [{ field: this.o.column, value: l.text, rule: this.o.unresolved }], outcome: l.outcome };
  }
}
