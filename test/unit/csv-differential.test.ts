/**
 * The CSV reader against csv-parse on random valid CSV, read in random chunks (as 64 KiB reads cut a
 * file anywhere). Seeded: a failure names its seed; CSV_SEED=N runs that one again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/random.js';
import { readCsv, RecordParser, type CsvRecord } from '../../src/import/csv-reader.js';
import { tempDir } from '../helpers/db.js';

const PLAIN = ['a', 'Z', '7', ' ', 'б', 'Ж', 'ъ', 'é', '-', '.', '🙂'];
const QUOTED = [...PLAIN, ',', '""', '\r', '\n', '\r\n', ';'];

interface Sample {
  text: string;
  /** the records a reader must return (blank ones left out) with the line each starts on */
  starts: number[];
}

/** Random valid CSV: quoted and plain cells, CR/LF/CRLF inside quotes, blank lines and blank records. */
function sample(next: () => number): Sample {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const word = (alphabet: readonly string[], max: number) =>
    Array.from({ length: Math.floor(next() * max) }, () => pick(alphabet)).join('');
  /** [the cell as written, its value] */
  const cell = (): [string, string] => {
    const r = next();
    if (r < 0.15) return ['', ''];
    if (r >= 0.55) {
      const plain = word(PLAIN, 8);
      return [plain, plain];
    }
    const inner = word(QUOTED, 12);
    return [`"${inner}"`, inner.replace(/""/g, '"')];
  };
  let text = '';
  const starts: number[] = [];
  const records = 1 + Math.floor(next() * 40);
  for (let i = 0; i < records; i++) {
    if (next() < 0.1) text += pick(['\n', '\r\n']);
    const cells = Array.from({ length: 1 + Math.floor(next() * 5) }, cell);
    // a record whose every cell is blank is skipped, as a blank line is
    if (cells.some(([, value]) => value.trim() !== '')) starts.push(1 + (text.match(/\n/g)?.length ?? 0));
    text += cells.map(([written]) => written).join(',');
    if (i < records - 1 || next() < 0.7) text += pick(['\n', '\r\n']);
  }
  return { text, starts };
}

/** csv-parse over the whole text: a quoted field's bytes as written (a CRLF inside quotes stays CRLF). */
function reference(text: string): string[][] {
  const recs = parse(text, {
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
  }) as string[][];
  return recs.filter((r) => r.some((c) => c.trim() !== ''));
}

function inChunks(text: string, next: () => number): CsvRecord[] {
  const p = new RecordParser('x.csv', 1 << 20, ',');
  const out: CsvRecord[] = [];
  for (let at = 0; at < text.length;) {
    const size = next() < 0.2 ? 1 : 1 + Math.floor(next() * 64);
    out.push(...p.push(text.slice(at, at + size), false));
    at += size;
  }
  out.push(...p.push('', true));
  return out;
}

describe('CSV reader against csv-parse (random valid CSV, random chunks)', () => {
  it('gives the same records, and the line each starts on, however the text is cut', () => {
    const first = Number(process.env.CSV_SEED ?? 1);
    const count = process.env.CSV_SEED ? 1 : 400;
    for (let seed = first; seed < first + count; seed++) {
      const next = rng(seed);
      const { text, starts } = sample(next);
      const expected = reference(text);
      expect(starts.length, `seed ${seed}: the generator and csv-parse disagree`).toBe(expected.length);
      for (let cut = 0; cut < 3; cut++) {
        const ours = inChunks(text, next);
        expect(
          ours.map((r) => r.cells),
          `seed ${seed} (CSV_SEED=${seed} to replay)`,
        ).toEqual(expected);
        expect(
          ours.map((r) => r.line),
          `seed ${seed} (CSV_SEED=${seed} to replay)`,
        ).toEqual(starts);
      }
    }
  });

  it('keeps a CRLF inside quotes as written, also when a read ends between its \\r and \\n', () => {
    const text = 'a,b\r\n"x\r\ny","\r\n"\r\n"\r",z\r\n';
    const expected = [
      ['a', 'b'],
      ['x\r\ny', '\r\n'],
      ['\r', 'z'],
    ];
    expect(reference(text)).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new RecordParser('x.csv', 1 << 20, ',');
      const recs = [...p.push(text.slice(0, cut), false), ...p.push(text.slice(cut), false), ...p.push('', true)];
      expect(
        recs.map((r) => r.cells),
        `cut at ${cut}`,
      ).toEqual(expected);
      expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
    }
  });

  it('counts lines right when a 64 KiB read ends between the "\\r and \\n closing a record', async () => {
    const head = 'code,name\r\n';
    const filler = 'A,"x"\r\n';
    const reps = Math.floor((65536 - head.length - 20) / filler.length);
    // the record before the cut ends in a quoted field (over two lines) whose \r is the first read's last byte
    const pad = 65536 - head.length - reps * filler.length - 'B,"\r\n'.length - '"\r'.length;
    const text = `${head}${filler.repeat(reps)}B,"\r\n${'y'.repeat(pad)}"\r\nC,z\r\n`;
    expect(Buffer.byteLength(text.slice(0, text.indexOf('C,z') - 1))).toBe(65536);
    const file = path.join(tempDir(), 'cut.csv');
    fs.writeFileSync(file, text);
    const recs: CsvRecord[] = [];
    for await (const batch of readCsv(file, 'cut.csv')) recs.push(...batch);
    expect(recs.at(-1)).toMatchObject({ cells: ['C', 'z'], line: reps + 4 });
  });
});
