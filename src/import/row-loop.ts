/**
 * The one row loop: every row of a file, wherever it was read (src/import/rows.ts), is excluded (its
 * problems already known: --skip-invalid's second pass), a duplicate of a rejected row's key, or applied;
 * then counted or rejected. Rows applied are found again by key in the database (the importer's
 * "duplicates line N"); rejected ones are remembered here by key.
 */
import { foldKey } from '../lib/keys.js';
import { zeroCounts, type Counts } from './batch.js';
import type { RowIn, RowResult } from './entities/types.js';
import { problemText, type ErrorSink, type RowProblem } from './errors.js';
import type { RejectsWriter } from './rejects.js';
import type { RowBatch } from './rows.js';
import { isPromise } from './statements.js';

export interface RowLoopOptions {
  /** The key's columns (the first names a duplicate). */
  key: readonly string[];
  /** A key column may be empty (prices: max_students empty = any number): empty cells count as values. */
  emptyKeyParts: boolean;
  /** Rows refused by the file's first pass, by line: rejected again without being applied. */
  exclude: ReadonlyMap<number, RowProblem[]>;
  sink: ErrorSink;
  rejects?: RejectsWriter;
}

export class RowLoop {
  readonly counts: Counts = zeroCounts();
  /** A rejected row's key → its line. */
  private readonly rejectedKeys = new Map<string, number>();

  constructor(private readonly o: RowLoopOptions) {}

  /** Settles the rows of a batch in order; waits only for a row whose result is a Promise. */
  async batch(b: RowBatch): Promise<void> {
    for (let i = 0; i < b.count; i++) {
      const pending = this.row(b, i);
      if (pending) await pending;
    }
  }

  private row(b: RowBatch, i: number): Promise<void> | undefined {
    const line = b.line(i);
    const problems = b.clean(i);
    const excluded = this.o.exclude.get(line);
    if (excluded) {
      // a later row with its key duplicates it, as when it was refused in the first pass
      this.remember(b.keyText(), line);
      this.reject(line, b.cells(i), excluded);
      return undefined;
    }
    const first = problems || this.rejectedKeys.size === 0 ? undefined : this.rejectedKeys.get(this.keyOf(b.keyText()) ?? '');
    const out = problems ?? (first === undefined ? b.apply() : this.duplicate(b.keyText(), first));
    if (isPromise(out)) return out.then((o) => this.settle(b, i, line, first, o));
    this.settle(b, i, line, first, out);
    return undefined;
  }

  private settle(b: RowBatch, i: number, line: number, first: number | undefined, out: RowResult): void {
    if (typeof out === 'string') {
      this.counts[out]++;
      return;
    }
    if (first === undefined) this.remember(b.keyText(), line);
    this.reject(line, b.cells(i), out);
  }

  private reject(line: number, cells: readonly string[], problems: RowProblem[]): void {
    this.counts.rejected++;
    this.o.sink.add(line, problems);
    this.o.rejects?.row(cells, problems.map(problemText).join('; '));
  }

  private remember(text: RowIn['text'], line: number): void {
    const key = this.keyOf(text);
    if (key !== undefined && !this.rejectedKeys.has(key)) this.rejectedKeys.set(key, line);
  }

  private duplicate(text: RowIn['text'], first: number): RowProblem[] {
    const { key } = this.o;
    return [{ field: key[0]!, value: text[key[0]!] ?? '', rule: `duplicates line ${first} (same ${key.join(' + ')})` }];
  }

  private keyOf(text: RowIn['text']): string | undefined {
    const parts = this.o.key.map((k) => (text[k] === undefined ? undefined : foldKey(text[k])));
    // a row with no key at all (an activity without an id: a new one) duplicates nothing
    if (parts.every((p) => p === undefined)) return undefined;
    return parts.every((p) => p !== undefined) || this.o.emptyKeyParts ? parts.join('\u0001') : undefined;
  }
}
