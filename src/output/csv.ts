/**
 * CSV writing for lists and exports: a header line, LF line ends, no BOM, quotes only where RFC 4180
 * needs them. A value that a spreadsheet would run as a formula gets one more leading ' and is quoted
 * (src/lib/formula.ts); the importer removes exactly that one quote again.
 */
import { plainNumber } from '../lib/decimal.js';
import { PROTECTED, protectFormula } from '../lib/formula.js';
import { compileLine, lines, type Line } from './lines.js';

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // a list of scalars joined by ';', protected as one cell (the importer unprotects the cell, then splits
  // it: a first item `=x` or `'=x` comes back as it was); a list of records (an invoice's lines) as JSON text
  if (Array.isArray(value))
    return protectFormula(value.some((v) => typeof v === 'object' && v !== null) ? JSON.stringify(value) : value.join(';'));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // plain decimal, never 1e-7 or 1e+23 (which the importer does not read)
  if (typeof value === 'number') return protectFormula(plainNumber(value));
  // a nested record (the audit log's before and after) as JSON text, never "[object Object]"
  if (typeof value === 'object') return protectFormula(JSON.stringify(value));
  return protectFormula(String(value));
}

/**
 * A cell of every CSV acctmgr writes (lists here, exports and rejects files through src/output/stream.ts),
 * as csv-stringify writes it with record_delimiter '\n' and quoted_match [PROTECTED, /\r/]: quoted when it
 * holds a quote, a comma, a line feed or a carriage return (a line break to RFC 4180 and to most readers,
 * bare or not) or carries a formula-protecting `'`; quotes inside doubled. Written by hand because
 * csv-stringify spent 1 s of a 160,000-notice `remind --format csv` on casting and option handling;
 * test/unit/csv-writer.test.ts holds it to csv-stringify's bytes on random cells.
 */
export function quoteCsv(s: string): string {
  if (s === '') return s;
  const quote = s.includes('"');
  if (quote || s.includes(',') || s.includes('\n') || s.includes('\r') || (s[0] === "'" && PROTECTED.test(s)))
    return `"${quote ? s.replaceAll('"', '""') : s}"`;
  return s;
}

/** A cell of a CSV line: csvCell's text, quoted where quoteCsv quotes. */
export function csvText(value: unknown): string {
  return quoteCsv(csvCell(value));
}

/** The header line, then a line per row. */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  return `${columns.map(quoteCsv).join(',')}\n${lines(rows, csvLine(columns))}`;
}

/** A record's CSV line of `columns` (src/output/lines.ts). */
export function csvLine(columns: readonly string[]): Line {
  return compileLine(columns, csvText, ',');
}

/** The columns of a list of records: their keys in first-seen order, nested `fields` flattened. */
export function flattenRecord(r: Record<string, unknown>): Readonly<Record<string, unknown>> {
  // most records have no custom fields: the record itself (no copy of every row of a long list)
  if (!('fields' in r)) return r;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'fields' && v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
    else out[k] = v;
  }
  return out;
}

export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}
