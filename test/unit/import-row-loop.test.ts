/**
 * The row loop (src/import/row-loop.ts) takes a row's result as it comes: at once (SQLite) or as a
 * Promise (a database that answers later, the seam for PostgreSQL). Rows settle in file order either way.
 */
import { describe, expect, it } from 'vitest';
import type { RowIn, RowResult } from '../../src/import/entities/types.js';
import { ErrorSink } from '../../src/import/errors.js';
import { RowLoop } from '../../src/import/row-loop.js';
import type { RowBatch } from '../../src/import/rows.js';

/** Rows `login,name` from line 2; `apply` decides each row's result and says when it ran. */
function batch(rows: string[][], apply: (r: RowIn, ran: string[]) => RowResult | Promise<RowResult>, ran: string[]): RowBatch {
  let current: RowIn = { line: 0, text: {} };
  return {
    count: rows.length,
    line: (i) => i + 2,
    cells: (i) => rows[i]!,
    clean(i) {
      current = { line: i + 2, text: { login: rows[i]![0], name: rows[i]![1] } };
      return undefined;
    },
    keyText: () => current.text,
    apply: () => apply(current, ran),
  };
}

const later = <T>(v: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(v), ms));

describe('the row loop', () => {
  it('awaits a row result that is a Promise before the next row, and counts and rejects as for one given at once', async () => {
    const rows = [
      ['a', 'A'],
      ['b', ''],
      ['B', 'again'],
      ['c', 'C'],
      ['d', 'D'],
    ];
    const outcome = (r: RowIn, ran: string[]): RowResult => {
      ran.push(`${r.line}`);
      return r.text.name ? 'inserted' : [{ field: 'name', value: '', rule: 'is required' }];
    };
    const run = async (slow: boolean) => {
      const sink = new ErrorSink('m.csv', 50);
      const loop = new RowLoop({ key: ['login'], emptyKeyParts: false, exclude: new Map(), sink });
      const ran: string[] = [];
      // with `slow`, rows answer later, the earlier ones later still: order must come from the loop
      await loop.batch(batch(rows, (r, log) => (slow ? later(outcome(r, log), 30 - r.line * 5) : outcome(r, log)), ran));
      return { counts: loop.counts, lines: sink.lines(), ran };
    };
    const now = await run(false);
    const slow = await run(true);
    expect(now.lines).toEqual(['m.csv:3: name: "": is required', 'm.csv:4: login: "B": duplicates line 3 (same login)']);
    expect(now.counts).toEqual({ inserted: 3, updated: 0, unchanged: 0, rejected: 2 });
    expect(now.ran).toEqual(['2', '3', '5', '6']); // line 4 repeats a rejected row's key: never applied
    expect(slow).toEqual(now);
  });
});
