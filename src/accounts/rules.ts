/**
 * Account rules that need no database, so the CSV importer applies exactly the same ones to rows that
 * are not stored yet: the tutor rule, an account's own parent, parent cycles, and custom field names and
 * values.
 */
import type { FieldProblem } from '../errors.js';
import { dateRule } from '../lib/dates.js';
import { canonicalDecimal, plainNumber } from '../lib/decimal.js';
import { coerce, isPasswordColumn } from '../lib/fields.js';
import { foldKey, noteProblem } from '../lib/keys.js';
import { ACCOUNT_FIELDS, ACCOUNT_SHOW_KEYS, type CustomFieldType } from './fields.js';

const TUTOR_RULE = 'must be empty for a tutor account (a private tutor is both subscriber and user, with no manager)';

/**
 * A tutor account has no manager: not the account, not its subscriptions, not who renews them. `field`
 * names the manager given (`manager_login`, or `by` for a renewal).
 */
export function tutorProblem(accountType: string | undefined, field: string, manager: unknown): FieldProblem | undefined {
  const given = manager !== null && manager !== undefined && manager !== '';
  return accountType === 'tutor' && given ? { field, value: manager, rule: TUTOR_RULE } : undefined;
}

/** Problems of a coerced account row (snake_case keys) that are visible without the database. */
export function accountRowProblems(values: { type?: unknown; manager_login?: unknown }): FieldProblem[] {
  const p = tutorProblem(values.type as string | undefined, 'manager_login', values.manager_login);
  return p ? [p] : [];
}

/** The parent named (`parent` as given, `parentKey` its fold) is the account itself (`accountKey`). */
export function selfParentProblem(accountKey: string, parent: string, parentKey = foldKey(parent)): FieldProblem | undefined {
  return parentKey === accountKey
    ? { field: 'parent_external_id', value: parent, rule: 'is the account itself: an account cannot be its own parent' }
    : undefined;
}

/** The rule a parent loop breaks; the loop follows it (`: A → B → A`). */
export const PARENT_CYCLE = 'would make a parent cycle';

/**
 * The parent loop that `start` is part of, as keys from start back to start ([A, B, A]); undefined when
 * following parents from start ends (or runs into a loop that start is not part of). Callers normalise
 * the keys (e.g. lower-cased external ids); a self-parent is the loop [A, A].
 */
export function parentCycle<K>(parentOf: ReadonlyMap<K, K | null | undefined>, start: K): K[] | undefined {
  const path: K[] = [start];
  const seen = new Set<K>([start]);
  let cur = parentOf.get(start);
  while (cur !== null && cur !== undefined) {
    if (cur === start) return [...path, cur];
    if (seen.has(cur)) return undefined;
    seen.add(cur);
    path.push(cur);
    cur = parentOf.get(cur);
  }
  return undefined;
}

/** Every parent loop in the map, each once (in O(n): each key is walked once). */
export function findParentCycles<K>(parentOf: ReadonlyMap<K, K | null | undefined>): K[][] {
  const done = new Set<K>();
  const cycles: K[][] = [];
  for (const start of parentOf.keys()) {
    if (done.has(start)) continue;
    const path: K[] = [];
    const onPath = new Map<K, number>();
    let cur: K | null | undefined = start;
    while (cur !== null && cur !== undefined && !done.has(cur)) {
      const at = onPath.get(cur);
      if (at !== undefined) {
        cycles.push([...path.slice(at), cur]);
        break;
      }
      onPath.set(cur, path.length);
      path.push(cur);
      cur = parentOf.get(cur);
    }
    for (const k of path) done.add(k);
  }
  return cycles;
}

// ---- custom fields ----

export interface CustomFieldDef {
  name: string;
  type: CustomFieldType;
  required: boolean;
}

/**
 * Names that would clash in CSV and JSON: the account's own columns, the record's `fields`, `show`'s keys,
 * and `error` (the column a `--rejects` file adds, which an import of it skips).
 */
const RESERVED = new Set<string>([...ACCOUNT_FIELDS.map((f) => f.name), 'fields', ...ACCOUNT_SHOW_KEYS, 'error']);

/**
 * Custom field names become CSV columns and import headers are matched lower-cased with spaces and
 * hyphens as underscores, so names are kept to that normal form; a name the importer refuses as a
 * password column would make every accounts export unimportable. Returns the rule broken, if any.
 */
export function customFieldNameProblem(name: string): string | undefined {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) {
    return 'must start with a letter and contain only lower-case letters, digits and "_" (at most 64)';
  }
  if (RESERVED.has(name)) return 'is an account field or output key already';
  if (isPasswordColumn(name)) return 'names a password column, which imports refuse (passwords are never imported)';
  return undefined;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d+)?|\.\d+)$/;

export type CustomCoerced = { ok: true; value: string | null } | { ok: false; rule: string };

/** A raw value → its stored text (null = absent/clear), or the rule it breaks. */
export function coerceCustomValue(type: CustomFieldType, raw: unknown): CustomCoerced {
  if (raw === undefined || raw === null) return { ok: true, value: null };
  if (typeof raw === 'boolean' && type === 'bool') return { ok: true, value: String(raw) };
  const text = String(raw).trim();
  if (text === '') return { ok: true, value: null };
  switch (type) {
    case 'text': {
      // a custom text field may hold a note: line breaks are allowed
      const problem = noteProblem(text);
      return problem ? { ok: false, rule: problem } : { ok: true, value: text };
    }
    case 'number': {
      if (!NUMBER_RE.test(text)) return { ok: false, rule: 'must be a number, e.g. 12 or 12.5' };
      // stored as the double gives it back; a value it cannot give back digit for digit is refused, never cut
      const value = plainNumber(Number(text));
      if (value !== canonicalDecimal(text))
        return {
          ok: false,
          rule: `cannot be kept exactly: a number field holds about 15 significant digits (it would become ${value}; a text field keeps any digits)`,
        };
      return { ok: true, value };
    }
    case 'date': {
      const rule = dateRule(text);
      return rule === undefined ? { ok: true, value: text } : { ok: false, rule };
    }
    case 'bool': {
      // the words a field spec's bool accepts, stored as true/false
      const r = coerce({ name: 'value', type: 'bool' }, text);
      return r.ok ? { ok: true, value: String(r.value) } : r;
    }
  }
}

/** A stored value as JSON shows it: numbers as numbers, booleans as booleans. */
export function customValueOut(type: string, stored: string | null | undefined): string | number | boolean | null {
  if (stored === null || stored === undefined) return null;
  if (type === 'number') return Number(stored);
  if (type === 'bool') return stored === 'true';
  return stored;
}

/**
 * Checks `NAME=VALUE` pairs against the definitions (names compared as keys). Unknown names and bad
 * values are problems; the result maps each defined name given to its stored text (null = clear).
 */
export function checkCustomValues(
  defs: readonly CustomFieldDef[],
  raw: Readonly<Record<string, unknown>>,
): { values: Record<string, string | null>; problems: FieldProblem[] } {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const values: Record<string, string | null> = {};
  const problems: FieldProblem[] = [];
  for (const [given, value] of Object.entries(raw)) {
    const def = byName.get(foldKey(given.trim()));
    if (!def) {
      problems.push({ field: given, value, rule: 'is not a defined custom field (see: acctmgr fields list)' });
      continue;
    }
    const r = coerceCustomValue(def.type, value);
    if (r.ok) values[def.name] = r.value;
    else problems.push({ field: def.name, value, rule: r.rule });
  }
  return { values, problems };
}

/**
 * Required custom fields without a value in the merged (stored + given) values, but for those already in
 * `reported`: a value given and refused (`vip: "maybe": must be true or false`) is not also missing.
 */
export function missingRequiredFields(
  defs: readonly CustomFieldDef[],
  values: Readonly<Record<string, string | null | undefined>>,
  reported: readonly FieldProblem[] = [],
): FieldProblem[] {
  return defs
    .filter((d) => d.required && (values[d.name] === null || values[d.name] === undefined))
    .filter((d) => !reported.some((p) => p.field === d.name))
    .map((d) => ({ field: d.name, value: '', rule: 'is a required custom field' }));
}

/** Account types looked after by a manager: every one but a tutor (a private tutor has none) and a guest. */
export function needsManager(type: string): boolean {
  return type !== 'tutor' && type !== 'guest';
}
