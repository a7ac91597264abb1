/**
 * Header → fields. A header matches a field when, trimmed, folded as a key (custom field names are
 * keys) and with spaces and hyphens as underscores, it equals the field's name; `--map "Sheet Header=field"` renames first. Everything that
 * can be wrong with a header is found before any row is read, so a bad file is refused at once.
 */
import { isPasswordColumn } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import { ImportFileError } from './errors.js';

export function normalizeHeader(h: string): string {
  return foldKey(h.trim()).replace(/[ -]/g, '_');
}

export interface HeaderOptions {
  /** `--map` pairs: sheet header (as written, or normalized) → field name. */
  map: Readonly<Record<string, string>>;
  ignoreUnknown: boolean;
}

export interface HeaderPlan {
  /** Per cell index: the field it fills, or undefined (ignored column). */
  fields: (string | undefined)[];
  /** Fields present in the file. */
  present: Set<string>;
}

/**
 * Matches the header cells against the entity's known column names. Refuses unknown columns (unless
 * ignored), a column named twice, a password column (never echoing any value) and missing required
 * columns, naming them all in one message.
 */
export function planHeader(
  label: string,
  header: readonly string[],
  known: readonly string[],
  required: readonly string[],
  opts: HeaderOptions,
): HeaderPlan {
  const knownSet = new Set(known);
  const map = new Map(Object.entries(opts.map).map(([k, v]) => [normalizeHeader(k), normalizeHeader(v)]));
  const fields: (string | undefined)[] = [];
  const present = new Set<string>();
  const unknown: string[] = [];
  const twice: string[] = [];
  for (const cell of header) {
    const norm = normalizeHeader(cell);
    const field = map.get(norm) ?? norm;
    if (isPasswordColumn(field)) {
      throw new ImportFileError(
        `${label}:1: column "${cell.trim()}": password columns are refused (passwords are never imported; no value was read)`,
        'remove the column; set passwords with: acctmgr managers set-password LOGIN',
      );
    }
    // the `error` column that --rejects adds, so a fixed rejects file imports as it is
    if (field === 'error' && !knownSet.has(field)) {
      fields.push(undefined);
      continue;
    }
    if (!knownSet.has(field)) {
      if (norm !== '' || !opts.ignoreUnknown) unknown.push(cell.trim());
      fields.push(undefined);
      continue;
    }
    if (present.has(field)) twice.push(field);
    present.add(field);
    fields.push(field);
  }
  const problems: string[] = [];
  if (unknown.length > 0 && !opts.ignoreUnknown) {
    problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
  }
  if (twice.length > 0) problems.push(`column${twice.length > 1 ? 's' : ''} given twice: ${twice.join(', ')}`);
  const missing = required.filter((r) => !present.has(r));
  if (missing.length > 0) problems.push(`missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (problems.length > 0) {
    throw new ImportFileError(
      `${label}:1: ${problems.join('; ')}`,
      `the columns are: ${known.join(', ')}${unknown.length > 0 ? ' (--map "Header=field" renames, --ignore-unknown skips)' : ''}`,
    );
  }
  return { fields, present };
}
