/**
 * Field specifications: one description of each entity's fields drives the command-line flags,
 * the prompts, the validation of command-line and CSV values, and the CSV/JSON columns, so the
 * contract (kebab-case flags ⇔ snake_case keys and columns) cannot drift between them.
 */
import { dateRule, dateShapeProblem, parseTimestamp, timestampShapeProblem } from './dates.js';
import { quote, type FieldProblem } from '../errors.js';
import { EMAIL_MAX, KEY_MAX, keyProblem, lineProblem, noteProblem } from './keys.js';

/**
 * `key`: an identifier records are found by (external ids, codes, group names; compared folded, see
 * src/lib/keys.ts); `text`: one line (names); `note`: several lines; `limit`: a whole number ≥ 0 or the
 * word `unlimited` (a fair-use limit).
 */
export type FieldType =
  'key' | 'text' | 'note' | 'email' | 'login' | 'enum' | 'int' | 'date' | 'timestamp' | 'bool' | 'money' | 'list' | 'limit';

/** A `limit` field's value for "no limit" (stored as NULL). */
export const UNLIMITED = 'unlimited';

/** A coerced limit → its column value: NULL for unlimited (undefined stays: not given). */
export function limitToStored(v: FieldValue | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  return v === UNLIMITED || v === null ? null : (v as number);
}

/** A stored limit → what records, JSON and CSV show: the number, or `unlimited` for NULL. */
export function limitOut(v: number | null): number | typeof UNLIMITED {
  return v === null ? UNLIMITED : v;
}

export interface FieldSpec {
  /** snake_case name: the JSON key and CSV column; the flag is its kebab-case form. */
  name: string;
  type: FieldType;
  /** Required when a record is created. */
  required?: boolean;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** An int that must be one of these (e.g. a term: 12 or 24). */
  oneOf?: readonly number[];
  /**
   * What a new record gets when the field is left out (and why an edit may not clear it); a function
   * computes it from the record's other values.
   */
  default?: FieldValue | ((values: Readonly<Record<string, FieldValue | undefined>>) => FieldValue);
  description?: string;
  /** Fields that are not settable on `add`/`edit` (e.g. computed) set this. */
  readOnly?: boolean;
}

export type FieldValue = string | number | boolean | string[] | null;

/**
 * A column (a normalised header, or a custom field's name) that would carry a password: the importer
 * refuses such a column before reading any value, so no field may be named like one.
 */
export function isPasswordColumn(name: string): boolean {
  return /password/.test(name);
}

export function flagName(field: string): string {
  return field.replace(/_/g, '-');
}

export function optionKey(field: string): string {
  return field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * An email address as this program accepts one: `local@domain` with a dot inside the domain (not its
 * first or last character), and no white space, quotes, brackets, commas, colons, semicolons,
 * backslashes or second `@` anywhere. It is exactly /^[^\s@"'<>(),;:\\]+@[^\s@"'<>(),;:\\]+\.[^\s@"'<>(),;:\\]+$/
 * (a unit test holds them together), written out because an import tests a million addresses and the
 * expression backtracks over every domain: ≈ 0.4 µs an address against ≈ 0.05.
 */
export function isEmail(text: string): boolean {
  let at = -1;
  let dot = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (NOT_IN_EMAIL[c] === 1) {
        if (c !== 64 || at !== -1) return false;
        at = i;
      } else if (c === 46 && at !== -1 && i > at + 1 && i < text.length - 1) dot = i;
    } else if (isUnicodeSpace(c)) return false;
  }
  return at > 0 && dot !== -1;
}

/**
 * `coerce`'s value for an email cell of printable ASCII (nearly every address of an import): the address in
 * lower case when isEmail holds and it fits EMAIL_MAX — which is also its key (the fold of such text) — and
 * undefined for any other text (let `coerce` decide, and name the problem). One pass: isEmail's test, the
 * ASCII check and the search for upper case at once (a million-row import tests every address).
 */
export function asciiEmail(text: string): string | undefined {
  const n = text.length;
  let at = -1;
  let dot = -1;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
    if (NOT_IN_EMAIL[c] === 1) {
      if (c !== 64 || at !== -1) return undefined;
      at = i;
    } else if (c === 46) {
      if (at !== -1 && i > at + 1 && i < n - 1) dot = i;
    } else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (at <= 0 || dot === -1 || n > EMAIL_MAX) return undefined;
  return upper ? text.toLowerCase() : text;
}

/** ASCII characters an address may not contain (`@` once, as the separator): \s " ' ( ) , : ; < > @ \\ */
const NOT_IN_EMAIL = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32, 34, 39, 40, 41, 44, 58, 59, 60, 62, 64, 92]) NOT_IN_EMAIL[c] = 1;

/** The non-ASCII characters of JavaScript's \s. */
function isUnicodeSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const LOGIN_RE = /^[A-Za-z0-9._-]+$/;
const MONEY_RE = /^\d+(\.\d{1,2})?$/;
const INT_RE = /^[+-]?\d+$/;
const BOOL_TRUE = new Set(['true', '1', 'yes']);
const BOOL_FALSE = new Set(['false', '0', 'no', '']);

export type Coerced = { ok: true; value: FieldValue } | { ok: false; rule: string };

/**
 * Turns a raw value (a CSV cell or a command-line string; booleans may already be booleans) into the
 * stored form, or explains in an administrator's words why it cannot be one. Empty text means absent.
 */
export function coerce(spec: FieldSpec, raw: unknown): Coerced {
  if (raw === undefined || raw === null) return { ok: true, value: null };
  if (spec.type === 'bool') return coerceBool(raw);
  if (typeof raw === 'number' && spec.type === 'int') return checkInt(spec, raw);
  const text = String(raw).trim();
  if (text === '') return { ok: true, value: spec.type === 'list' ? [] : null };
  switch (spec.type) {
    case 'key':
      return checked(text, keyProblem(text));
    case 'text':
      return checked(text, lineProblem(text));
    case 'note':
      return checked(text, noteProblem(text));
    case 'email':
      if (!isEmail(text)) return { ok: false, rule: 'is not a valid email address' };
      // the length of what is stored: lower-casing can lengthen text (İ becomes i + U+0307)
      return lowerKey(text, EMAIL_MAX);
    case 'login':
      if (!LOGIN_RE.test(text)) return { ok: false, rule: 'may contain only ASCII letters a-z, digits, ".", "_" and "-"' };
      return lowerKey(text, KEY_MAX);
    case 'enum': {
      const v = text.toLowerCase();
      return spec.values?.includes(v) ? { ok: true, value: v } : { ok: false, rule: oneOfRule(spec.values ?? [], v) };
    }
    case 'int':
      if (!INT_RE.test(text)) return { ok: false, rule: 'must be a whole number' };
      return checkInt(spec, Number(text));
    case 'date': {
      const rule = dateRule(text);
      return rule === undefined ? { ok: true, value: text } : { ok: false, rule };
    }
    case 'timestamp':
      return parseTimestamp(text);
    case 'money':
      if (!MONEY_RE.test(text)) return { ok: false, rule: 'must be an amount like 800 or 800.00 (digits, at most two decimals)' };
      return Number.isSafeInteger(toCents(text)) ? { ok: true, value: text } : { ok: false, rule: AMOUNT_RULE };
    case 'limit':
      if (text.toLowerCase() === UNLIMITED) return { ok: true, value: UNLIMITED };
      if (!INT_RE.test(text)) return { ok: false, rule: `must be a whole number (0 means none) or ${UNLIMITED}` };
      return checkInt({ ...spec, min: 0 }, Number(text));
    case 'list': {
      const items = splitList(text);
      const problem = items.map((item) => lineProblem(item)).find((p) => p !== undefined);
      return checked(items, problem);
    }
  }
}

/** A key stored lower-case, checked as stored (at most `max` characters of the lower-cased text). */
function lowerKey(text: string, max: number): Coerced {
  const lower = text.toLowerCase();
  return checked(lower, keyProblem(lower, max));
}

function checked(value: FieldValue, problem: string | undefined): Coerced {
  return problem === undefined ? { ok: true, value } : { ok: false, rule: problem };
}

/**
 * A whole number within the field's range and the largest integer stored exactly (2^53 − 1, the JSON and
 * JavaScript limit): digits beyond it are a number too large, named as such, not "not a whole number".
 */
function checkInt(spec: FieldSpec, n: number): Coerced {
  if (Number.isNaN(n) || (Number.isFinite(n) && !Number.isInteger(n))) return { ok: false, rule: 'must be a whole number' };
  if (spec.min !== undefined && n < spec.min) return { ok: false, rule: `must be at least ${spec.min}` };
  if (spec.max !== undefined && n > spec.max) return { ok: false, rule: `must be at most ${spec.max}` };
  if (n > Number.MAX_SAFE_INTEGER) return { ok: false, rule: `must be at most ${Number.MAX_SAFE_INTEGER}` };
  if (n < Number.MIN_SAFE_INTEGER) return { ok: false, rule: `must be at least ${Number.MIN_SAFE_INTEGER}` };
  if (spec.oneOf !== undefined && !spec.oneOf.includes(n)) return { ok: false, rule: `must be ${spec.oneOf.join(' or ')}` };
  return { ok: true, value: n };
}

function coerceBool(raw: unknown): Coerced {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  const v = String(raw).trim().toLowerCase();
  if (BOOL_TRUE.has(v)) return { ok: true, value: true };
  if (BOOL_FALSE.has(v)) return { ok: true, value: false };
  return { ok: false, rule: 'must be true or false (also accepted: yes/no, 1/0)' };
}

export function splitList(text: string): string[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The value a new record gets for a field that was left out (undefined: the field has no default). */
export function fieldDefault(spec: FieldSpec, values: Readonly<Record<string, FieldValue | undefined>>): FieldValue | undefined {
  return typeof spec.default === 'function' ? spec.default(values) : spec.default;
}

/** The values of a new record: those given, and the defaults of the fields left out (or empty). */
export function withDefaults(specs: readonly FieldSpec[], values: Readonly<Record<string, FieldValue>>): Record<string, FieldValue> {
  const out = { ...values };
  for (const spec of specs) {
    if (spec.default !== undefined && (out[spec.name] === undefined || out[spec.name] === null))
      out[spec.name] = fieldDefault(spec, values)!;
  }
  return out;
}

/**
 * Checks every given field of an input object against its spec; unknown keys are ignored.
 * Returns the coerced values and every problem found (not only the first).
 */
export function coerceAll(
  specs: readonly FieldSpec[],
  input: Record<string, unknown>,
): { values: Record<string, FieldValue>; problems: FieldProblem[] } {
  const values: Record<string, FieldValue> = {};
  const problems: FieldProblem[] = [];
  for (const spec of specs) {
    if (!(spec.name in input) || input[spec.name] === undefined) continue;
    const r = coerce(spec, input[spec.name]);
    if (r.ok) values[spec.name] = r.value;
    else problems.push({ field: spec.name, value: input[spec.name], rule: r.rule });
  }
  return { values, problems };
}

/**
 * What the command line can check without the database (exit 2 when it fails): an integer must look
 * like one, a date must have the YYYY-MM-DD shape. An empty value is no shape: it clears an optional
 * field on `edit`, and the service refuses it for a required one. Everything else is the service's
 * business (exit 1).
 */
export function shapeError(spec: FieldSpec, raw: string): string | undefined {
  if (raw.trim() === '') return undefined;
  if (spec.type === 'timestamp') return timestampShapeProblem(raw);
  return spec.type === 'int' || spec.type === 'date' ? shapeProblem(spec.type, raw) : undefined;
}

/** Why `raw` (an option's value) does not look like a whole number or a YYYY-MM-DD date, or undefined. */
export function shapeProblem(type: 'int' | 'date', raw: string): string | undefined {
  const text = raw.trim();
  if (type === 'int' && !INT_RE.test(text)) return `${quote(raw)} is not a whole number`;
  if (type === 'date') return dateShapeProblem(raw);
  return undefined;
}

/** Money in minor units (cents) ⇄ the two-decimal string of the contract. Never floating point. */
export function toCents(amount: string): number {
  const [whole, frac = ''] = amount.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/**
 * The rule of every amount: integer cents up to 2^53 − 1 (90071992547409.91), the largest integer held,
 * stored (SQLite INTEGER, PostgreSQL bigint) and printed exactly; a larger one would silently change, or
 * become a float. `coerce` applies it to every money field (command line and CSV alike).
 */
export const AMOUNT_RULE = 'must be an amount like 450.00 of at most 90071992547409.91';

/**
 * Money text → cents, or undefined past 2^53 − 1 cents or when it is no amount. A JSON number is read as
 * written (its shortest form), never rounded: 0.333 is no amount, as "0.333" is not.
 */
export function safeCents(text: unknown): number | undefined {
  const s = typeof text === 'number' ? String(text) : String(text ?? '').trim();
  if (!MONEY_RE.test(s)) return undefined;
  const c = toCents(s);
  return Number.isSafeInteger(c) ? c : undefined;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The rule for a value outside a list: the list, and the closest value when the given one is a likely
 * typo of it (`skool` → "did you mean school?": at most a third of its letters differ, so words of one or two
 * letters never get a guess).
 */
export function oneOfRule(values: readonly string[], given: string): string {
  const rule = `must be one of ${values.join(', ')}`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const v of values) {
    const d = editDistance(given.toLowerCase(), v);
    if (d < bestDistance) [best, bestDistance] = [v, d];
  }
  return best !== undefined && bestDistance > 0 && bestDistance <= Math.floor(best.length / 3) ? `${rule}; did you mean ${best}?` : rule;
}

/** Levenshtein distance (insertions, deletions, substitutions), for short words. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
