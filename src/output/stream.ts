/**
 * The renderer's streamed forms, for exports: CSV lines or a JSON array written in chunks as the rows
 * come, so a million-row export never sits in memory. The CSV cells follow src/output/csv.ts (quotes
 * only where RFC 4180 needs them, and around formula-protected values).
 */
import { plainNumber } from '../lib/decimal.js';
import { csvCell, quoteCsv } from './csv.js';

/**
 * Written in pieces of about 64 KB, as src/output/list-stream.ts does: a string over ≈ 128 KB is a large
 * object of V8's own, mapped and unmapped by the kernel. Chunks of 2,000 lines (≈ 178 KB of a contacts
 * export) made `export contacts` of a million rows take ≈ 1.5–2.5 s longer, most of it system time.
 */
const PIECE = 64 * 1024;

/** A cell as every CSV of acctmgr writes it (src/output/csv.ts quoteCsv); a number ≥ 0 as it is. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  // a number needs neither quotes nor formula protection unless negative (a leading -)
  if (typeof value === 'number' && value >= 0) return value === 0 || (value >= 1e-6 && value < 1e21) ? String(value) : plainNumber(value);
  return quoteCsv(csvCell(value));
}

abstract class Chunked {
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(private readonly write: (chunk: string) => void) {}

  protected push(text: string): void {
    this.buf.push(text);
    this.size += text.length;
    if (this.size >= PIECE) this.flush();
  }

  protected flush(): void {
    if (this.buf.length > 0) this.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
}

/** A header line, then one line per row (LF, no BOM). */
export class CsvStream extends Chunked {
  constructor(write: (chunk: string) => void, columns: readonly string[]) {
    super(write);
    this.push(`${columns.join(',')}\n`);
  }

  add(values: readonly unknown[]): void {
    let line = csvField(values[0]);
    for (let i = 1; i < values.length; i++) line += `,${csvField(values[i])}`;
    this.push(`${line}\n`);
    this.rows++;
  }

  end(): number {
    this.flush();
    return this.rows;
  }
}

/** A JSON array, one record a line (what `--json` gives for a list, without holding the list). */
export class JsonArrayStream extends Chunked {
  constructor(write: (chunk: string) => void) {
    super(write);
    this.push('[');
  }

  add(record: object): void {
    this.push(`${this.rows > 0 ? ',' : ''}\n  ${JSON.stringify(record)}`);
    this.rows++;
  }

  end(): number {
    this.push(this.rows > 0 ? '\n]\n' : ']\n');
    this.flush();
    return this.rows;
  }
}
