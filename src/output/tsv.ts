/**
 * The piped form of a list or a record (stdout not a terminal): tab-separated lines that `cut`, `awk`
 * and `column -t` read. A list is a header line of field names, then one line per record (an empty list:
 * the header line only); a record is `key<TAB>value` lines. No box drawing, no colour.
 *
 * Values are as in CSV (true/false, a list joined with `;`, a nested record as JSON text, nothing for
 * null) without CSV's quotes. Escaped, so that one record stays one line and every value can be read
 * back: a backslash as `\\`, a tab as `\t`, a line feed as `\n`, a carriage return as `\r`, and any other
 * control, bidi or invisible character as `\uXXXX` (what a table shows escaped too).
 */
import { escapeUnprintable, printableAscii } from './escape.js';
import { compileLine, lines, type Line } from './lines.js';

export function tsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    const text = value.some((x) => typeof x === 'object' && x !== null) ? JSON.stringify(value) : value.join(';');
    return escapeTsv(text);
  }
  if (typeof value === 'object') return escapeTsv(JSON.stringify(value));
  return escapeTsv(String(value));
}

export function escapeTsv(text: string): string {
  if (!text.includes('\\') && printableAscii(text)) return text;
  return escapeUnprintable(text.replace(/\\/g, '\\\\'));
}

/** A record's tab-separated line of `columns` (src/output/lines.ts). */
export function tsvLine(columns: readonly string[]): Line {
  return compileLine(columns, tsvCell, '\t');
}

export function tsvList(records: readonly Record<string, unknown>[], columns: readonly string[]): string {
  if (columns.length === 0) return '';
  return `${columns.map(escapeTsv).join('\t')}\n${lines(records, tsvLine(columns))}`;
}

export function tsvObject(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([k, v]) => `${escapeTsv(k)}\t${tsvCell(v)}\n`)
    .join('');
}
