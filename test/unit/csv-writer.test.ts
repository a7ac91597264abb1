/**
 * toCsv (src/output/csv.ts) writes CSV by hand for speed; csv-stringify with the options toCsv used
 * before, and a bare CR quoted as every line break is (as the streamed CSV always did), is the reference: on random cells — quotes, commas, LF, bare CR, CRLF, formulas behind zero or
 * more quotes, tabs, Cyrillic, emoji, empty and null values — both must give the same bytes. Seeded: a
 * failure names its seed.
 */
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/random.js';
import { csvCell, toCsv } from '../../src/output/csv.js';
import { CsvStream } from '../../src/output/stream.js';
import { PROTECTED } from '../../src/lib/formula.js';

const PIECES = ['a', 'Z', '7', ' ', 'Ж', 'ъ', '🙂', ',', '"', '""', '\n', '\r', '\r\n', '\t', '=', '+', '-', '@', "'", ';', '\\'];

/** What toCsv gave when it called csv-stringify, a cell with a bare CR quoted too. */
function reference(rows: Record<string, unknown>[], columns: string[]): string {
  const data = rows.map((r) => columns.map((c) => csvCell(r[c])));
  return stringify([columns, ...data], { record_delimiter: '\n', quoted_match: [PROTECTED, /\r/] });
}

describe('toCsv writes what csv-stringify writes', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`random cells, seed ${seed}`, () => {
      const next = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
      const text = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(PIECES)).join('');
      const value = (): unknown => {
        const r = next();
        if (r < 0.08) return null;
        if (r < 0.12) return '';
        if (r < 0.16) return Math.floor(next() * 2000) - 1000;
        if (r < 0.18) return next() < 0.5;
        return text();
      };
      const columns = ['kind', text() || 'x', 'note'];
      const rows = Array.from({ length: 300 }, () => Object.fromEntries(columns.map((c) => [c, value()])));
      expect(toCsv(rows, columns), `seed ${seed}`).toBe(reference(rows, columns));
    });
  }

  it('a bare CR is quoted in lists and in streamed exports alike (a line break to most readers)', () => {
    const rows = [{ name: 'a\rb', note: 'c\r\nd', plain: 'e' }];
    const columns = ['name', 'note', 'plain'];
    let streamed = '';
    const out = new CsvStream((t) => (streamed += t), columns);
    out.add(columns.map((c) => rows[0]![c as keyof (typeof rows)[0]]));
    out.end();
    expect(toCsv(rows, columns)).toBe('name,note,plain\n"a\rb","c\r\nd",e\n');
    expect(streamed).toBe(toCsv(rows, columns));
  });

  it('an empty list is its header line; no columns, one empty line', () => {
    expect(toCsv([], ['a', 'b'])).toBe(reference([], ['a', 'b']));
    expect(toCsv([], [])).toBe(reference([], []));
  });
});
