/**
 * Rows in COPY's text format (src/db/pg-copy.ts), with no imports: the reader thread of a large import
 * (src/import/bulk/) encodes its rows here, so the thread that talks to the server only forwards bytes.
 * One definition of a row's text: `copyLine` (a string, on the importing thread) and `CopyBytes` (UTF-8,
 * in the reader thread) write the same bytes for the same row (test/unit/pg-copy-text.test.ts).
 */

/** How a table's rows are written: their columns' values, then `suffix` (constants, each after a tab, in COPY text). */
export interface CopyRowFormat {
  columns: readonly string[];
  suffix: string;
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

/** One row as a line of COPY text (ending in a newline). */
export function copyLine(rec: Readonly<Record<string, unknown>>, f: CopyRowFormat): string {
  const { columns } = f;
  let text = copyText(rec[columns[0]!]);
  for (let i = 1; i < columns.length; i++) text += `\t${copyText(rec[columns[i]!])}`;
  return `${text}${f.suffix}\n`;
}

/**
 * Lines of COPY text as UTF-8 bytes, end to end: a batch of rows is encoded in one buffer, `take` hands
 * its bytes over (to be transferred to another thread), and each row is known by where it starts and ends.
 */
export class CopyBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly size = 128 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Appends `rec` as one line (copyLine's text); where it starts (it ends at `end`). */
  row(rec: Readonly<Record<string, unknown>>, f: CopyRowFormat): number {
    const start = this.pos;
    // one short string a row, encoded at once: faster than a write per value
    const line = copyLine(rec, f);
    // a UTF-16 unit is at most 3 bytes of UTF-8
    this.room(line.length * 3);
    this.pos += this.buf.write(line, this.pos, 'utf8');
    return start;
  }

  /** Where the last line ends. */
  get end(): number {
    return this.pos;
  }

  /** The bytes written since the last `take` (a buffer of their own: transferable), and a fresh start. */
  take(): Uint8Array<ArrayBuffer> {
    // allocUnsafeSlow: a buffer of its own, never a slice of a shared pool
    const out = new Uint8Array(this.buf.buffer as ArrayBuffer, this.buf.byteOffset, this.pos);
    this.buf = Buffer.allocUnsafeSlow(this.size);
    this.pos = 0;
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
