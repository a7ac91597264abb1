/**
 * Rows in COPY's text format, for the COPY of a large import (src/db/pg-copy.ts). One definition of a
 * row's text: `copyLine` (a string) and `CopyBytes` (its UTF-8, row after row in one buffer) write the
 * same bytes for the same row (test/unit/import-bulk.test.ts).
 */

import { rowValues, type RowValues } from '../lib/row-values.js';

/** How a table's rows are written: their columns' values, then `suffix` (constants, each after a tab, in COPY text). */
export interface CopyRowFormat {
  columns: readonly string[];
  suffix: string;
  /** rowValues(columns) */
  values: RowValues;
}

export function copyRowFormat(columns: readonly string[], suffix = ''): CopyRowFormat {
  return { columns, suffix, values: rowValues(columns) };
}

/** A value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
export function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  const s = typeof v === 'string' ? v : String(v);
  return needsEscape(s) ? s.replace(/[\\\t\n\r]/g, (m) => ESCAPES[m]!) : s;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}

/** One row as a line of COPY text (ending in a newline); `id`, when given, before its columns. */
export function copyLine(rec: Readonly<Record<string, unknown>>, f: CopyRowFormat, id?: number): string {
  const v = scratch;
  f.values(rec, v, 0);
  let text = id === undefined ? copyText(v[0]) : `${id}\t${copyText(v[0])}`;
  for (let i = 1; i < f.columns.length; i++) text += `\t${copyText(v[i])}`;
  return `${text}${f.suffix}\n`;
}

/** A row's values, in copyLine. */
const scratch: unknown[] = [];

/**
 * Lines of COPY text as UTF-8 bytes, end to end in one reused buffer: each row is one short string
 * encoded at once (a row's text built up into one long string and then encoded costs far more: V8
 * flattens the string's thousands of parts first). `take` hands the bytes written so far over.
 */
export class CopyBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 128 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Appends `rec` as one line (copyLine's text); where it starts (it ends at `end`). */
  row(rec: Readonly<Record<string, unknown>>, f: CopyRowFormat, id?: number): number {
    const start = this.pos;
    // one write a row: faster than one a value
    const line = copyLine(rec, f, id);
    // a UTF-16 unit is at most 3 bytes of UTF-8
    this.room(line.length * 3);
    this.pos += this.buf.write(line, this.pos, 'utf8');
    return start;
  }

  /** Where the last line ends. */
  get end(): number {
    return this.pos;
  }

  /** The bytes written since the last `take`, in a buffer of their own and of their size, and a fresh start. */
  take(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
