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

/** A row's values, in copyLine and CopyBytes.row. */
const scratch: unknown[] = [];

const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const BACKSLASH = 92;

/**
 * Lines of COPY text as UTF-8 bytes, end to end in one reused buffer, written byte by byte: ASCII text
 * (nearly every value) goes in by a plain loop that escapes as it copies, and only a value with other
 * characters is encoded by Buffer.write from its first such character on. Building each line as a string
 * first (copyLine) made a million contacts ≈ 12 intermediate strings a row, a flattened copy of each line
 * and a native call to encode it: ≈ 1 s of the writing thread, and a third of its garbage collection.
 * `take` hands the bytes written so far over.
 */
export class CopyBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 128 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Appends `rec` as one line (copyLine's bytes); where it starts (it ends at `end`). */
  row(rec: Readonly<Record<string, unknown>>, f: CopyRowFormat, id?: number): number {
    const start = this.pos;
    const v = scratch;
    const n = f.columns.length;
    f.values(rec, v, 0);
    // the most the line can take: a UTF-16 unit is at most 3 bytes of UTF-8 (an escape 2), a number 24
    let most = 26 + f.suffix.length * 3;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      most += typeof x === 'string' ? x.length * 3 + 1 : typeof x === 'number' || x == null ? 25 : copyText(x).length * 3 + 1;
    }
    this.room(most);
    if (id !== undefined) {
      this.value(id);
      this.buf[this.pos++] = TAB;
    }
    for (let i = 0; i < n; i++) {
      if (i > 0) this.buf[this.pos++] = TAB;
      this.value(v[i]);
    }
    if (f.suffix.length > 0) this.text(f.suffix, false);
    this.buf[this.pos++] = NEWLINE;
    return start;
  }

  private value(x: unknown): void {
    if (x === null || x === undefined) {
      this.buf[this.pos++] = BACKSLASH;
      this.buf[this.pos++] = 78; // N
    } else if (typeof x === 'string') this.text(x, true);
    else this.text(typeof x === 'number' ? String(x) : copyText(x), false);
  }

  /** `s` as UTF-8, escaped as copyText escapes (`escape`: false for text that is COPY text already). */
  private text(s: string, escape: boolean): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // the rest through copyText and Buffer.write (surrogate pairs stay whole: i is where a character starts)
        const rest = s.slice(i);
        p += b.write(escape ? copyText(rest) : rest, p, 'utf8');
        break;
      }
      if (escape && (c === BACKSLASH || c === TAB || c === NEWLINE || c === RETURN)) {
        b[p++] = BACKSLASH;
        b[p++] = c === BACKSLASH ? BACKSLASH : c === TAB ? 116 : c === NEWLINE ? 110 : 114; // \\ \t \n \r
      } else b[p++] = c;
    }
    this.pos = p;
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
