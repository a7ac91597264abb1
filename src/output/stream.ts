/**
 * The renderer's streamed forms, for exports: CSV lines or a JSON array written in chunks as the rows
 * come, so a million-row export never sits in memory. The CSV cells follow src/output/csv.ts (quotes
 * only where RFC 4180 needs them, and around formula-protected values).
 */
import { PROTECTED } from '../lib/formula.js';
import { csvCell } from './csv.js';

const NEEDS_QUOTES = /[",\r\n]/;
const CHUNK_ROWS = 2000;

function csvField(value: unknown): string {
  const s = csvCell(value);
  return NEEDS_QUOTES.test(s) || PROTECTED.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

abstract class Chunked {
  private buf: string[] = [];
  rows = 0;

  constructor(private readonly write: (chunk: string) => void) {}

  protected push(text: string): void {
    this.buf.push(text);
    if (this.buf.length >= CHUNK_ROWS) this.flush();
  }

  protected flush(): void {
    if (this.buf.length > 0) this.write(this.buf.join(''));
    this.buf = [];
  }
}

/** A header line, then one line per row (LF, no BOM). */
export class CsvStream extends Chunked {
  constructor(write: (chunk: string) => void, columns: readonly string[]) {
    super(write);
    this.push(`${columns.join(',')}\n`);
  }

  add(values: readonly unknown[]): void {
    this.push(`${values.map(csvField).join(',')}\n`);
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
