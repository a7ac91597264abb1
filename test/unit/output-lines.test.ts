/**
 * The lines of CSV and tab-separated lists are built by a function compiled for the columns
 * (src/output/lines.ts): on random values —
 * every character CSV quotes or protects, every one a table escapes, numbers, booleans, lists, records,
 * null and absent values — each line must be what the cell functions joined give, whatever the columns
 * are named. Seeded: a failure names its seed.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/random.js';
import { csvCell, csvLine, csvText, quoteCsv } from '../../src/output/csv.js';
import { lines } from '../../src/output/lines.js';
import { tsvCell, tsvLine } from '../../src/output/tsv.js';

const PIECES = [
  'a',
  'Z',
  '7',
  ' ',
  '~',
  'Ж',
  '🙂',
  ',',
  '"',
  '\n',
  '\r',
  '\t',
  '\\',
  '=',
  '+',
  '-',
  '@',
  "'",
  '\u0000',
  '\u007f',
  '\u202e',
  '\u200b',
  '\ufeff',
];

function values(seed: number): unknown[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const text = () => Array.from({ length: Math.floor(next() * 5) }, () => pick(PIECES)).join('');
  return Array.from({ length: 2000 }, () => {
    const r = next();
    if (r < 0.05) return null;
    if (r < 0.08) return undefined;
    if (r < 0.12) return Math.floor(next() * 2000) - 1000;
    if (r < 0.14) return next() < 0.5;
    if (r < 0.16) return [text(), text()];
    if (r < 0.17) return { a: text() };
    return text();
  });
}

describe('compiled CSV and tab-separated lines', () => {
  for (let seed = 1; seed <= 10; seed++) {
    it(`a cell is quoteCsv(csvCell) and tsvCell of it, seed ${seed}`, () => {
      const tsv = tsvLine(['v']);
      for (const v of values(seed)) {
        expect(csvText(v), JSON.stringify(v)).toBe(quoteCsv(csvCell(v)));
        expect(tsv({ v }), JSON.stringify(v)).toBe(tsvCell(v));
      }
    });
  }

  it('a line is its cells in column order, joined, whatever the columns are named', () => {
    const columns = ['kind', "it's", 'a"b', 'back\\slash', '${x}', 'constructor', 'Име'];
    const all = values(99);
    const records = Array.from({ length: 200 }, (_, i) => Object.fromEntries(columns.map((c, j) => [c, all[i * columns.length + j]])));
    const csv = csvLine(columns);
    const tsv = tsvLine(columns);
    for (const r of records) {
      expect(csv(r)).toBe(columns.map((c) => quoteCsv(csvCell(r[c]))).join(','));
      expect(tsv(r)).toBe(columns.map((c) => tsvCell(r[c])).join('\t'));
    }
    expect(lines(records.slice(0, 2), csv)).toBe(`${csv(records[0]!)}\n${csv(records[1]!)}\n`);
    // no columns: an empty line a record
    expect(lines([{ a: 1 }, {}], csvLine([]))).toBe('\n\n');
  });
});
