/**
 * Cell text → the value a field spec coerces: trimmed, empty = absent, the one `'` that CSV output puts
 * before a formula-looking value removed (src/lib/formula.ts), and dates in the sheet's locale turned
 * into YYYY-MM-DD.
 */
import { UsageError, quote } from '../errors.js';
import { unprotectFormula } from '../lib/formula.js';
import type { RowProblem } from './errors.js';

/** Trims, then removes exactly one leading `'` from `'…'=x` (quotes, then a formula character); nothing else. */
export function cleanCell(raw: string): string {
  const t = raw.trim();
  return t.charCodeAt(0) === 39 ? unprotectFormula(t) : t;
}

export type DateFormat = 'YYYY-MM-DD' | 'DD.MM.YYYY' | 'MM/DD/YYYY' | 'DD/MM/YYYY';
export const DATE_FORMATS: readonly DateFormat[] = ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'];

export function parseDateFormat(raw: string | undefined): DateFormat {
  if (raw === undefined) return 'YYYY-MM-DD';
  const f = raw.trim().toUpperCase();
  if ((DATE_FORMATS as readonly string[]).includes(f)) return f as DateFormat;
  throw new UsageError(`--date-format: ${quote(raw)} is not one of ${DATE_FORMATS.join(', ')}`);
}

const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(.*)$/;

/**
 * A date (or the date part of a timestamp) written in `format` → YYYY-MM-DD; ISO text passes unchanged,
 * so a sheet may mix its locale's dates with ISO ones. Anything else is returned as it was, for the
 * field's own check to name.
 */
export function toIsoDate(text: string, format: DateFormat): string {
  if (format === 'YYYY-MM-DD') return text;
  const m = (format === 'DD.MM.YYYY' ? DOTTED : SLASHED).exec(text);
  if (!m) return text;
  const [a, b] = [m[1]!.padStart(2, '0'), m[2]!.padStart(2, '0')];
  const [day, month] = format === 'MM/DD/YYYY' ? [b, a] : [a, b];
  return `${m[3]}-${month}-${day}${m[4]}`;
}

/**
 * A hint for a date the field refused: with the default format, the locale form it looks like (and
 * the option that reads it); with `--date-format`, a value in neither form is told of both.
 */
export function dateHint(text: string, format: DateFormat = 'YYYY-MM-DD'): string {
  if (format !== 'YYYY-MM-DD')
    return text === toIsoDate(text, format) && !/^\d{4}-\d{2}-\d{2}/.test(text)
      ? ` (--date-format ${format}: dates are ${format} or YYYY-MM-DD)`
      : '';
  if (DOTTED.test(text)) return ' (for DD.MM.YYYY dates use --date-format DD.MM.YYYY)';
  if (SLASHED.test(text)) return ' (for dates like 03/31/2026 use --date-format MM/DD/YYYY or DD/MM/YYYY)';
  return '';
}

/**
 * Cleans the mapped cells into `text`; problems for a row whose number of fields is not the header's
 * and for NUL characters (`mayHaveNul` false: the reader saw none in the record's text).
 */
export function readCells(
  cells: readonly string[],
  fields: readonly (string | undefined)[],
  text: Record<string, string | undefined>,
  mayHaveNul = true,
): RowProblem[] | undefined {
  let problems: RowProblem[] | undefined;
  if (!fieldsMatch(cells, fields.length))
    problems = [{ field: '', value: '', rule: `expected ${fields.length} fields, got ${cells.length}` }];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f === undefined) continue;
    const c = cleanCell(cells[i] ?? '');
    if (mayHaveNul && c.includes('\0'))
      (problems ??= []).push({ field: f, value: c, rule: 'contains a NUL character (is this a UTF-16 or binary file? see --encoding)' });
    text[f] = c === '' ? undefined : c;
  }
  return problems;
}

/**
 * A row has the header's `width` fields (RFC 4180): fewer is refused, and more only when every extra
 * one is empty (spreadsheets pad rows with separators).
 */
function fieldsMatch(cells: readonly string[], width: number): boolean {
  if (cells.length < width) return false;
  for (let i = width; i < cells.length; i++) if (cells[i]!.trim() !== '') return false;
  return true;
}

/**
 * What `readCells` does, into an array: `slots[i]` is where column i's cleaned cell goes (undefined: an
 * ignored column). Undefined when readCells would find a problem (the number of fields, a NUL): let
 * it name them. For a reader thread's hot loop, where an object per row keyed by field name costs.
 */
export function cleanCells(
  cells: readonly string[],
  slots: readonly (number | undefined)[],
  width: number,
  mayHaveNul: boolean,
): (string | undefined)[] | undefined {
  if (!fieldsMatch(cells, slots.length)) return undefined;
  const out = new Array<string | undefined>(width);
  for (let i = 0; i < slots.length; i++) {
    const at = slots[i];
    if (at === undefined) continue;
    const c = cleanCell(cells[i] ?? '');
    if (mayHaveNul && c.includes('\0')) return undefined;
    out[at] = c === '' ? undefined : c;
  }
  return out;
}
