/**
 * Streaming CSV reader (RFC 4180) that knows the physical line on which every record starts.
 *
 * Why not csv-parse here: on a 1,000,000-row file csv-parse alone takes ≈ 5 s on this machine, more than
 * the whole import's budget (3× the `sqlite3` shell's `.import`, ≈ 1.7 s); this reader takes ≈ 0.6 s.
 * It has a fast path for lines without quotes and a character-level path for quoted fields; the unit
 * tests check it against csv-parse on every hazard file. csv-parse's `info.lines` is also the line where
 * a record *ends*, which is not what error messages need.
 */
import fs from 'node:fs';
import { decodeChunks, openDecoder } from './decode.js';
import { ImportFileError } from './errors.js';

export interface CsvRecord {
  cells: string[];
  /** Physical line where the record starts (1-based; blank lines counted). */
  line: number;
  /** The record contains a NUL character (a cell-by-cell search is then worth it). */
  nul: boolean;
}

export interface CsvOptions {
  /** A TextDecoder label; default strict UTF-8. */
  encoding?: string;
  /** `,`, `;` or tab; default detected from the header line. */
  delimiter?: string;
  /** Largest record accepted, in characters (an unterminated quote otherwise swallows the file). */
  maxRecordChars?: number;
  /** Called with the bytes read so far (progress bar). */
  onBytes?: (bytes: number) => void;
}

const DEFAULT_MAX_RECORD = 1 << 20;

/** Picks the delimiter among `,` `;` tab that occurs most often (outside quotes) in the header line. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/**
 * Yields the records of a file in arrays (one per chunk read, to keep per-record overhead low); the
 * first record is the header. Blank records (every cell empty) are skipped but their lines counted.
 */
export async function* readCsv(file: string, label: string, opts: CsvOptions = {}): AsyncGenerator<CsvRecord[]> {
  if (fs.statSync(file).size === 0) throw new ImportFileError(`${label}: empty file: no header row`);
  const parser = new RecordParser(label, opts.maxRecordChars ?? DEFAULT_MAX_RECORD, opts.delimiter);
  for await (const text of decodeChunks(file, label, openDecoder(opts.encoding), opts.onBytes)) {
    const out = parser.push(text, false);
    if (out.length > 0) yield out;
  }
  const last = parser.push('', true);
  if (last.length > 0) yield last;
  if (!parser.sawRecord) throw new ImportFileError(`${label}: empty file: no header row`);
}

/** Incremental parser: push decoded text, get the complete records. */
export class RecordParser {
  private rest = '';
  private line = 1;
  sawRecord = false;

  constructor(
    private readonly label: string,
    private readonly maxRecord: number,
    private delimiter: string | undefined,
  ) {}

  push(chunk: string, final: boolean): CsvRecord[] {
    const text = this.rest + chunk;
    const out: CsvRecord[] = [];
    if (this.delimiter === undefined) {
      const nl = text.indexOf('\n');
      if (nl === -1 && !final) {
        this.rest = text;
        return out;
      }
      this.delimiter = detectDelimiter(nl === -1 ? text : text.slice(0, nl));
    }
    const d = this.delimiter;
    let pos = 0;
    let quote = text.indexOf('"');
    let nul = text.indexOf('\0');
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1 && !final) break;
      const end = nl === -1 ? text.length : nl;
      const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      // the next quote is looked up again only once passed, so quote-free text is scanned once
      if (quote !== -1 && quote < pos) quote = text.indexOf('"', pos);
      if (nul !== -1 && nul < pos) nul = text.indexOf('\0', pos);
      if (quote === -1 || quote >= lineEnd) {
        // fast path: a record on one line without quotes
        this.emit(out, text.slice(pos, lineEnd).split(d), this.line, nul !== -1 && nul < lineEnd);
        this.line++;
        pos = end + 1;
        continue;
      }
      const rec = this.parseQuoted(text, pos, d, final);
      if (!rec) break;
      this.emit(out, rec.cells, this.line, nul !== -1 && nul < rec.next);
      this.line += rec.newlines + 1;
      pos = rec.next;
    }
    this.rest = pos < text.length ? text.slice(pos) : '';
    if (this.rest.length > this.maxRecord) this.fail('a quoted field opened on this line is never closed (or the record is over 1 MB)');
    return out;
  }

  private emit(out: CsvRecord[], cells: string[], line: number, nul: boolean): void {
    for (const c of cells) {
      if (c.trim() !== '') {
        this.sawRecord = true;
        out.push({ cells, line, nul });
        return;
      }
    }
  }

  private fail(rule: string): never {
    throw new ImportFileError(
      `${this.label}:${this.line}: ${rule}`,
      'a field with quotes must start and end with " and write a quote inside it as ""',
    );
  }

  /**
   * One record starting at `pos` with at least one quote. Returns undefined when the text ends before
   * the record does (more input needed).
   */
  private parseQuoted(text: string, pos: number, d: string, final: boolean) {
    const cells: string[] = [];
    let newlines = 0;
    let i = pos;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1) {
            if (final) this.fail('a quoted field opened on this line is never closed');
            return undefined;
          }
          const part = text.slice(i, q);
          field += part;
          newlines += countNewlines(part);
          if (q + 1 >= text.length && !final) return undefined;
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        if (text[i] === '\r') {
          // a read may end between the \r and the \n of a CRLF: wait for the \n, or it counts as a blank line
          if (i + 1 >= text.length && !final) return undefined;
          i++;
        }
        if (i < text.length && text[i] !== d && text[i] !== '\n') {
          this.fail(`unexpected text after a closing quote: ${JSON.stringify(text.slice(i, i + 20))}`);
        }
      } else {
        // unquoted (a stray quote inside it is taken literally, as spreadsheets write "5"" screen" loosely)
        let j = i;
        while (j < text.length && text[j] !== d && text[j] !== '\n') j++;
        if (j >= text.length && !final) return undefined;
        field = text.slice(i, j);
        if (field.endsWith('\r') && text[j] !== d) field = field.slice(0, -1);
        i = j;
      }
      cells.push(field);
      if (i >= text.length) return { cells, newlines, next: i };
      if (text[i] === '\n') return { cells, newlines, next: i + 1 };
      i++; // the delimiter
      if (i >= text.length) {
        if (!final) return undefined;
        cells.push('');
        return { cells, newlines, next: i };
      }
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
