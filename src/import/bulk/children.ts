/**
 * Rows of a referenced table by parent and folded key, read whole for a bulk load: an account's contacts
 * by email key (seats), a subscription's seats by their contact's email key (logins). Row by row, these
 * are read a parent at a time (RowsByParent in src/import/entities/common.ts); a bulk load on PostgreSQL
 * cannot afford that — every query ends the COPY in progress, and a file that names its parents in no
 * order reads each of them many times (200,000 seats over 20,000 subscriptions: ≈ 40 s of queries). So,
 * when the table is not much larger than the file (src/import/bulk/plan.ts readsWhole), one scan reads it
 * into flat arrays grouped by parent: a lookup compares the stored fold exactly, as `key = ?` would, among
 * the parent's rows (an account's contacts: a few dozen at most). A parent holds a key once (the tables'
 * unique keys: an account's contacts by email key, a subscription's seats by contact).
 */
import { eachRow } from '../statements.js';

export class ChildIndex {
  /** Where each parent's rows start in the arrays (their count: `counts`). */
  private readonly starts = new Map<number, number>();
  private readonly counts = new Map<number, number>();
  private readonly keys: string[];
  private readonly values: Int32Array[];

  /** `rows`: each row's parent, key and values (its id, then the other ids selected); `width`: values a row. */
  private constructor(rows: { parents: number[]; keys: string[]; values: number[][] }, width: number) {
    const n = rows.parents.length;
    for (const p of rows.parents) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
    let at = 0;
    for (const [p, c] of this.counts) {
      this.starts.set(p, at);
      at += c;
    }
    // a counting sort by parent
    const next = new Map(this.starts);
    this.keys = new Array<string>(n);
    this.values = Array.from({ length: width }, () => new Int32Array(n));
    for (let i = 0; i < n; i++) {
      const p = rows.parents[i]!;
      const to = next.get(p)!;
      next.set(p, to + 1);
      this.keys[to] = rows.keys[i]!;
      for (let v = 0; v < width; v++) this.values[v]![to] = rows.values[v]![i]!;
    }
  }

  /**
   * Reads every row of `scan` — [id, parent, key, ...more ids] — into an index; `more`: how many ids follow
   * the key.
   */
  static async read(scan: () => Iterable<unknown[][]> | AsyncIterable<unknown[][]>, more = 0): Promise<ChildIndex> {
    const width = 1 + more;
    const rows = { parents: [] as number[], keys: [] as string[], values: Array.from({ length: width }, () => [] as number[]) };
    await eachRow(scan(), (r) => {
      rows.parents.push(r[1] as number);
      rows.keys.push(r[2] as string);
      rows.values[0]!.push(r[0] as number);
      for (let v = 1; v < width; v++) rows.values[v]!.push(r[2 + v] as number);
    });
    return new ChildIndex(rows, width);
  }

  /** The row of `parent` whose key is `folded` — its id, then the other ids read — or undefined. */
  find(parent: number, folded: string): readonly number[] | undefined {
    const start = this.starts.get(parent);
    if (start === undefined) return undefined;
    const end = start + this.counts.get(parent)!;
    for (let i = start; i < end; i++) if (this.keys[i] === folded) return this.values.map((v) => v[i]!);
    return undefined;
  }
}
