/**
 * A bulk load's invoices in memory (src/import/entities/invoices.ts): the stored rows read whole, then each
 * row the file writes, answering the lookups the importer makes a query of row by row — by number, by place
 * in a year, a planned invoice by what it bills (a subscription or a training) and instalment, another invoice
 * billing a training. On
 * PostgreSQL a query in the middle of a COPY would end it. Each answer is the one the query gives: of several
 * rows (planned, billing), the one with the lowest id.
 */
import type { AnyStatements, Row } from '../statements.js';

const place = (year: unknown, seq: unknown) => `${String(year)}-${String(seq)}`;
/** What an invoice bills: a subscription, or (`subscription` false) a training. */
export type Billed = { subscription: boolean; id: number };
const instalmentOf = (billed: Billed, instalment: unknown) => `${billed.subscription ? 's' : 't'}${billed.id}/${String(instalment)}`;
/** What a stored row bills, if anything. */
const billedBy = (r: Row): Billed | undefined =>
  r.subscription_id !== null
    ? { subscription: true, id: r.subscription_id as number }
    : r.training_id !== null
      ? { subscription: false, id: r.training_id as number }
      : undefined;

export class InvoiceIndex {
  private readonly byNumber = new Map<string, Row>();
  private readonly byPlace = new Map<string, Row>();
  /** Invoices without a number, by what they bill and instalment. */
  private readonly unnumbered = new Map<string, Row[]>();
  /** Invoices by the training they bill. */
  private readonly byTraining = new Map<number, Row[]>();
  /** The line of the file that wrote each row it wrote (a queued row has no id yet). */
  private readonly lines = new WeakMap<Row, number>();

  /** Every stored invoice, whole (the rows an update starts from). */
  static async read(statements: AnyStatements): Promise<InvoiceIndex> {
    const index = new InvoiceIndex();
    const rows = await statements.all(statements.any.selectFrom('invoices').selectAll().orderBy('id'))();
    for (const r of rows) index.add(r);
    return index;
  }

  /** The invoice whose number folds to `numberKey`. */
  number(numberKey: string): Row | undefined {
    return this.byNumber.get(numberKey);
  }

  /** The invoice in this place of its year. */
  at(year: number, seq: number): Row | undefined {
    return this.byPlace.get(place(year, seq));
  }

  /** The invoice without a number that bills this and instalment (null: the one without an instalment). */
  planned(billed: Billed, instalment: number | null): Row | undefined {
    return this.unnumbered.get(instalmentOf(billed, instalment))?.[0];
  }

  /** An invoice other than `except` that is not void and bills the training. */
  billing(trainingId: number, except: Row | undefined): Row | undefined {
    return this.byTraining.get(trainingId)?.find((r) => r !== except && r.status !== 'void');
  }

  /** The row as `line` wrote it (`before`: the stored row it updated, no longer there; no id: queued). */
  written(line: number, row: Row, before: Row | undefined): void {
    if (before) this.remove(before);
    this.add(row);
    this.lines.set(row, line);
  }

  /** The line of the file that wrote the row, if the file did. */
  lineOf(row: Row | undefined): number | undefined {
    return row && this.lines.get(row);
  }

  private add(r: Row): void {
    if (r.number_key !== null) this.byNumber.set(r.number_key as string, r);
    if (r.year !== null) this.byPlace.set(place(r.year, r.seq), r);
    const billed = billedBy(r);
    if (r.number === null && billed) push(this.unnumbered, instalmentOf(billed, r.instalment), r);
    if (r.training_id !== null) push(this.byTraining, r.training_id as number, r);
  }

  private remove(r: Row): void {
    if (this.byNumber.get(r.number_key as string) === r) this.byNumber.delete(r.number_key as string);
    if (this.byPlace.get(place(r.year, r.seq)) === r) this.byPlace.delete(place(r.year, r.seq));
    const billed = billedBy(r);
    if (billed) drop(this.unnumbered, instalmentOf(billed, r.instalment), r);
    drop(this.byTraining, r.training_id as number, r);
  }
}

function push<K>(map: Map<K, Row[]>, key: K, r: Row): void {
  const list = map.get(key);
  if (!list) map.set(key, [r]);
  // in the order of their ids: an updated row keeps its id, a queued one gets a higher one than any stored
  else {
    const at = list.findIndex((o) => idOf(o) > idOf(r));
    list.splice(at < 0 ? list.length : at, 0, r);
  }
}

/** A queued row has no id yet: it gets one above every stored row's. */
const idOf = (r: Row) => (r.id as number | undefined) ?? Infinity;

function drop<K>(map: Map<K, Row[]>, key: K, r: Row): void {
  const list = map.get(key);
  const at = list?.indexOf(r) ?? -1;
  if (at >= 0) list!.splice(at, 1);
}
