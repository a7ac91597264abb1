import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cleanCell, toIsoDate } from '../../src/import/cells.js';
import { detectDelimiter, readCsv, RecordParser, type CsvRecord } from '../../src/import/csv-reader.js';
import { planHeader } from '../../src/import/header.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

const HAZARDS = path.join(ROOT, 'test/fixtures-import/hazards');

async function readAll(file: string, opts: { encoding?: string; delimiter?: string } = {}): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const recs of readCsv(file, path.basename(file), opts)) out.push(...recs);
  return out;
}

function write(content: string | Buffer): string {
  const file = path.join(tempDir(), 'f.csv');
  fs.writeFileSync(file, content);
  return file;
}

/** The parser fed one character at a time must agree with one push of the whole text. */
function byChars(text: string): CsvRecord[] {
  const p = new RecordParser('x', 1 << 20, undefined);
  const out: CsvRecord[] = [];
  for (const ch of text) out.push(...p.push(ch, false));
  out.push(...p.push('', true));
  return out;
}

describe('CSV reader', () => {
  it('handles BOM, CRLF, quoted commas and quoted CRLF newlines, counting physical lines', async () => {
    const recs = await readAll(path.join(HAZARDS, 'bom-crlf-products.csv'));
    expect(recs.map((r) => [r.line, r.cells])).toEqual([
      [1, ['code', 'name']],
      [2, ['BIO', 'Biology, site']],
      [4, ['DIARY', 'E-diary\r\nsecond line']], // line 3 blank; the quoted CRLF is kept as written
      [6, ['MATH', 'Maths']], // the multi-line field moved this record down
    ]);
  });

  it('agrees with csv-parse on records, and knows where each record starts', async () => {
    const file = path.join(HAZARDS, 'multiline-products.csv');
    const ours = await readAll(file);
    const theirs = parse(fs.readFileSync(file), { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
    expect(ours.map((r) => r.cells)).toEqual(theirs);
    expect(ours.map((r) => r.line)).toEqual([1, 2, 3, 7]);
    const text = fs.readFileSync(file, 'utf8');
    expect(byChars(text)).toEqual(ours);
  });

  it('detects ; and tab delimiters from the header (quoted delimiters ignored), or takes --delimiter', async () => {
    const recs = await readAll(path.join(HAZARDS, 'semicolon-products.csv'));
    expect(recs[2]!.cells).toEqual(['DIARY', 'E;diary']);
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"a;b",c')).toBe(',');
    const forced = await readAll(path.join(HAZARDS, 'semicolon-products.csv'), { delimiter: ',' });
    expect(forced[1]!.cells).toEqual(['BIO;Biology']);
  });

  it('refuses an unterminated quote naming the line where the record starts', async () => {
    await expect(readAll(path.join(HAZARDS, 'unterminated-products.csv'))).rejects.toThrow(
      /unterminated-products\.csv:3: a quoted field opened on this line is never closed/,
    );
    await expect(readAll(write('a,b\n"x"y,1\n'))).rejects.toThrow(/f\.csv:2: unexpected text after a closing quote/);
  });

  it('refuses invalid UTF-8 naming the first bad line, and decodes it with --encoding', async () => {
    const file = path.join(HAZARDS, 'latin1-products.csv');
    await expect(readAll(file)).rejects.toThrow(/latin1-products\.csv:3: the file is not valid UTF-8/);
    const recs = await readAll(file, { encoding: 'latin1' });
    expect(recs[2]!.cells).toEqual(['CHEM', 'Chemie über']);
    const cyr = write(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xd1, 0xee, 0xf4, 0xe8, 0xff, 0x0a])); // "София" in windows-1251
    expect((await readAll(cyr, { encoding: 'windows-1251' }))[1]!.cells).toEqual(['София']);
  });

  it('refuses a 0-byte file, reads a header-only file as no rows, and keeps multi-byte characters split across chunks', async () => {
    await expect(readAll(path.join(HAZARDS, 'empty-products.csv'))).rejects.toThrow('empty file: no header row');
    await expect(readAll(write('\n\n'))).rejects.toThrow('empty file: no header row');
    expect(await readAll(path.join(HAZARDS, 'header-only-products.csv'))).toHaveLength(1);
    const big = `name\n${'Ботев,'.repeat(30000)}x\n`; // > 64 KB of 2-byte characters
    const recs = await readAll(write(big));
    expect(recs[1]!.cells.join(',')).toBe(`${'Ботев,'.repeat(30000)}x`);
  });
});

describe('cells and headers', () => {
  it('removes exactly one leading quote from quotes before a formula character, and nothing else', () => {
    expect(cleanCell("'=SUM(A1)")).toBe('=SUM(A1)');
    expect(cleanCell("''=x")).toBe("'=x"); // a stored '=x, as CSV output writes it
    expect(cleanCell("'''@x")).toBe("''@x");
    expect(cleanCell("'+48 600")).toBe('+48 600');
    expect(cleanCell("'abc")).toBe("'abc");
    expect(cleanCell('  plain  ')).toBe('plain');
  });

  it('turns dates of the sheet locale into YYYY-MM-DD and leaves ISO dates alone', () => {
    expect(toIsoDate('31.12.2026', 'DD.MM.YYYY')).toBe('2026-12-31');
    expect(toIsoDate('2026-12-31', 'DD.MM.YYYY')).toBe('2026-12-31');
    expect(toIsoDate('12/31/2026', 'MM/DD/YYYY')).toBe('2026-12-31');
    expect(toIsoDate('1.2.2026 08:30', 'DD.MM.YYYY')).toBe('2026-02-01 08:30');
  });

  it('matches headers trimmed, lower-cased, spaces and hyphens as underscores, with --map', () => {
    const plan = planHeader('f.csv', [' Login ', 'E-mail', 'Full Name'], ['login', 'name', 'email'], ['login'], {
      map: { 'Full Name': 'name', 'e-mail': 'email' },
      ignoreUnknown: false,
    });
    expect(plan.fields).toEqual(['login', 'email', 'name']);
  });

  it('refuses unknown, doubled and missing columns in one message, and password columns without values', () => {
    const opts = { map: {}, ignoreUnknown: false };
    expect(() => planHeader('f.csv', ['login', 'colour', 'login'], ['login', 'name'], ['login', 'name'], opts)).toThrow(
      'f.csv:1: unknown column "colour"; column given twice: login; missing required column: name',
    );
    expect(planHeader('f.csv', ['login', 'colour'], ['login'], ['login'], { map: {}, ignoreUnknown: true }).fields).toEqual([
      'login',
      undefined,
    ]);
    expect(() => planHeader('f.csv', ['login', 'Password'], ['login'], ['login'], { map: {}, ignoreUnknown: true })).toThrow(
      /column "Password": password columns are refused/,
    );
  });
});

describe('row coercion fast paths', () => {
  it('agree with the shared field checks on canonical and non-canonical dates and timestamps', async () => {
    const { coerceRow } = await import('../../src/import/entities/coerce.js');
    const { coerce } = await import('../../src/lib/fields.js');
    const specs = [
      { name: 'd', type: 'date' as const },
      { name: 't', type: 'timestamp' as const },
    ];
    const samples = [
      '2024-02-29',
      '2023-02-29',
      '2026-04-31',
      '2026-12-31',
      '2026-13-01',
      '2026-00-10',
      '1900-02-29',
      '2000-02-29',
      '0000-01-01',
      '1899-12-31',
      '1900-01-01',
      '9999-12-31',
    ];
    for (const d of samples) {
      const ours = coerceRow(specs, { d, t: `${d}T23:59:59Z` }, 'YYYY-MM-DD');
      const ref = coerce(specs[0]!, d);
      expect(ours.values.d ?? null, d).toEqual(ref.ok ? ref.value : null);
      const refTs = coerce(specs[1]!, `${d}T23:59:59Z`);
      expect(ours.values.t ?? null, d).toEqual(refTs.ok ? refTs.value : null);
    }
  });
});
