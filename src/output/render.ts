/**
 * The one renderer: any list of records (or one record) as a table, JSON or CSV. Tables are for
 * people (colour only on a terminal without NO_COLOR); JSON and CSV keep every field.
 */
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { columnsOf, flattenRecord, toCsv } from './csv.js';

export type Format = 'table' | 'json' | 'csv';
export type Rec = Record<string, unknown>;

export interface RenderOptions {
  color: boolean;
}

export interface Column {
  key: string;
  header?: string;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return escaped(v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', '));
  if (typeof v === 'object') return escaped(JSON.stringify(v));
  return escaped(String(v));
}

/**
 * Control characters, line and paragraph separators and bidi controls would break a table's lines or
 * reorder what the terminal shows, and invisible ones (zero-width space, word joiner, BOM, soft
 * hyphen) hide: a table prints them escaped (JSON and CSV keep every value as it is).
 */
const UNPRINTABLE = /[\p{Cc}\u00ad\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escaped(text: string): string {
  return text.replace(UNPRINTABLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function newTable(head: string[], color: boolean): Table.Table {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return new Table({
    head: head.map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
  });
}

/** JSON as every `--json` prints it: two-space indents, one trailing line feed. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function renderList(
  records: readonly Rec[],
  format: Format,
  opts: RenderOptions & { columns?: readonly (string | Column)[] },
): string {
  if (format === 'json') return renderJson(records);
  if (format === 'csv') {
    const flat = records.map(flattenRecord);
    return toCsv(flat, columnsOf(flat));
  }
  if (records.length === 0) return '';
  const cols: Column[] = (opts.columns ?? Object.keys(records[0] ?? {})).map((c) => (typeof c === 'string' ? { key: c } : c));
  const table = newTable(
    cols.map((c) => c.header ?? c.key),
    opts.color,
  );
  for (const r of records) table.push(cols.map((c) => cellText(r[c.key])));
  return `${table.toString()}\n`;
}

export function renderObject(record: Rec, format: Format, opts: RenderOptions): string {
  if (format === 'json') return renderJson(record);
  if (format === 'csv') {
    const flat = flattenRecord(record);
    return toCsv([flat], Object.keys(flat));
  }
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const table = new Table({ style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(flattenRecord(record))) {
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') {
      table.push({ [chalk.bold(k)]: v.map((x) => summarize(x as Rec)).join('\n') });
    } else {
      table.push({ [chalk.bold(k)]: cellText(v) });
    }
  }
  return `${table.toString()}\n`;
}

function summarize(r: Rec): string {
  return Object.values(r)
    .filter((v) => v !== null && v !== undefined && v !== '')
    .map(cellText)
    .join('  ');
}
