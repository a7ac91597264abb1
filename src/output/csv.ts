/**
 * CSV writing for lists and exports: a header line, LF line ends, no BOM, quotes only where RFC 4180
 * needs them. A value that a spreadsheet would run as a formula gets one more leading ' and is quoted
 * (src/lib/formula.ts); the importer removes exactly that one quote again.
 */
import { stringify } from 'csv-stringify/sync';
import { PROTECTED, protectFormula } from '../lib/formula.js';

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // a list of scalars joined by ';'; a list of records (an invoice's lines) as JSON text
  if (Array.isArray(value))
    return value.some((v) => typeof v === 'object' && v !== null) ? protectFormula(JSON.stringify(value)) : value.join(';');
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // a nested record (the audit log's before and after) as JSON text, never "[object Object]"
  if (typeof value === 'object') return protectFormula(JSON.stringify(value));
  return protectFormula(String(value));
}

export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const data = rows.map((r) => columns.map((c) => csvCell(r[c])));
  return stringify([columns, ...data], {
    record_delimiter: '\n',
    quoted_match: PROTECTED,
  });
}

/** The columns of a list of records: their keys in first-seen order, nested `fields` flattened. */
export function flattenRecord(r: Record<string, unknown>): Record<string, unknown> {
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
