/**
 * The one renderer: any list of records (or one record) as a table, tab-separated lines, JSON or CSV.
 * Format 'table' is for people on a terminal (fitted to its width, colour only without NO_COLOR) and,
 * when stdout is not a terminal, tab-separated lines for `cut`, `awk` and `column -t` (src/output/tsv.ts);
 * JSON and CSV keep every field.
 */
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { columnsOf, csvLine, flattenRecord, toCsv } from './csv.js';
import { escapeUnprintable } from './escape.js';
import { cut, fitWidths, textWidth } from './fit.js';
import { tsvLine, tsvList, tsvObject } from './tsv.js';

export type Format = 'table' | 'json' | 'csv';
export type Rec = Record<string, unknown>;

export interface RenderOptions {
  color: boolean;
  /** stdout is a terminal: a table fitted to `width`; otherwise tab-separated lines */
  terminal: boolean;
  /** the terminal's width in columns (default 80) */
  width?: number;
  /** `--wide`: every value whole, however wide the table gets */
  wide?: boolean;
}

export interface ListOptions extends RenderOptions {
  /** the columns of the table and of the tab-separated lines (default: the first record's keys) */
  columns?: readonly (string | Column)[];
  /**
   * Every field of the list's records, in order: the CSV header, also of an empty list (custom fields
   * take the place of `fields`). Default: the records' keys, or for an empty list the columns.
   */
  fields?: readonly string[];
}

export interface Column {
  key: string;
  header?: string;
}

/** A terminal is assumed 80 columns wide when it does not say. */
export const DEFAULT_WIDTH = 80;

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return escapeUnprintable(v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', '));
  if (typeof v === 'object') return escapeUnprintable(JSON.stringify(v));
  return escapeUnprintable(String(v));
}

/**
 * A box-drawn table without a line between rows, cut to the terminal's width unless `wide`: borders and
 * padding take 3 columns per column plus 1, the rest goes to the text, widest columns cut first.
 */
function terminalTable(head: string[] | undefined, rows: string[][], opts: RenderOptions): string {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const n = head?.length ?? rows[0]?.length ?? 0;
  let fitted = { head, rows, colWidths: [] as number[] };
  if (!opts.wide && n > 0) {
    // a loop, not Math.max(...): a list may have more rows than a call has room for arguments
    const widest = (texts: string[]) => texts.reduce((w, t) => t.split('\n').reduce((m, line) => Math.max(m, textWidth(line)), w), 1);
    const values = Array.from({ length: n }, (_, i) => widest(rows.map((r) => r[i] ?? '')));
    const headers = Array.from({ length: n }, (_, i) => widest([head?.[i] ?? '']));
    const widths = fitWidths(values, headers, (opts.width ?? DEFAULT_WIDTH) - (3 * n + 1));
    const fit = (t: string, i: number) =>
      t
        .split('\n')
        .map((line) => cut(line, widths[i]!))
        .join('\n');
    fitted = { head: head?.map(fit), rows: rows.map((r) => r.map(fit)), colWidths: widths.map((w) => w + 2) };
  }
  const table = new Table({
    ...(fitted.head ? { head: fitted.head.map((h) => chalk.bold(h)) } : {}),
    colWidths: fitted.colWidths,
    style: { head: [], border: [], compact: true },
  });
  for (const r of fitted.rows) table.push(fitted.head ? r : [chalk.bold(r[0] ?? ''), ...r.slice(1)]);
  return `${table.toString()}\n`;
}

/** JSON as every `--json` prints it: two-space indents, one trailing line feed. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The CSV header: the list's declared fields (custom fields where `fields` is), then any other key. */
function csvColumns(flat: readonly Rec[], records: readonly Rec[], opts: ListOptions): string[] {
  const seen = columnsOf(flat);
  if (!opts.fields) return seen.length > 0 ? seen : (opts.columns ?? []).map((c) => (typeof c === 'string' ? c : c.key));
  const custom = columnsOf(records.map((r) => (r.fields && typeof r.fields === 'object' ? (r.fields as Rec) : {})));
  const declared = opts.fields.flatMap((f) => (f === 'fields' ? custom : [f]));
  return [...declared, ...seen.filter((k) => !declared.includes(k))];
}

export function renderList(records: readonly Rec[], format: Format, opts: ListOptions): string {
  if (format === 'json') return renderJson(records);
  if (format === 'csv') {
    const flat = records.map(flattenRecord);
    return toCsv(flat, csvColumns(flat, records, opts));
  }
  const cols = tableColumns(records, opts);
  if (!opts.terminal)
    return tsvList(
      records,
      cols.map((c) => c.key),
    );
  if (records.length === 0) return '';
  return terminalTable(
    cols.map((c) => c.header ?? c.key),
    records.map((r) => cols.map((c) => cellText(r[c.key]))),
    opts,
  );
}

function tableColumns(records: readonly Rec[], opts: ListOptions): Column[] {
  return (opts.columns ?? Object.keys(records[0] ?? {})).map((c) => (typeof c === 'string' ? { key: c } : c));
}

/**
 * The line of a record of the list as renderList writes it in CSV (flattened) or as a piped table —
 * the columns worked out from these records as renderList works them out — for a list written in parts
 * whose records all have the same keys (src/output/list-stream.ts).
 */
export function listLine(records: readonly Rec[], format: 'csv' | 'table', opts: ListOptions): (r: Rec) => string {
  if (format === 'table') return tsvLine(tableColumns(records, opts).map((c) => c.key));
  const flat = records.map(flattenRecord);
  const line = csvLine(csvColumns(flat, records, opts));
  return (r) => line(flattenRecord(r));
}

export function renderObject(record: Rec, format: Format, opts: RenderOptions): string {
  if (format === 'json') return renderJson(record);
  const flat = flattenRecord(record);
  if (format === 'csv') return toCsv([flat], Object.keys(flat));
  if (!opts.terminal) return tsvObject(flat);
  const rows = Object.entries(flat).map(([k, v]) => [
    k,
    Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' ? v.map((x) => summarize(x as Rec)).join('\n') : cellText(v),
  ]);
  return terminalTable(undefined, rows, opts);
}

function summarize(r: Rec): string {
  return Object.values(r)
    .filter((v) => v !== null && v !== undefined && v !== '')
    .map(cellText)
    .join('  ');
}
