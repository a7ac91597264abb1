/**
 * Flags generated from field specs: `--employee-id` for `employee_id`, `--is-primary/--no-is-primary`
 * for booleans. Shape errors (a non-integer, a date that is not YYYY-MM-DD) are usage errors (exit 2);
 * all other checks belong to the services (exit 1).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError, quote } from '../errors.js';
import { coerce, flagName, optionKey, shapeError, shapeProblem, type FieldSpec } from '../lib/fields.js';
import { askConfirm, askInput, askSelect } from './prompts.js';
import type { Session } from './session.js';

export function addFieldOptions(cmd: Command, specs: readonly FieldSpec[]): Command {
  for (const spec of specs) {
    if (spec.readOnly) continue;
    const flag = flagName(spec.name);
    const desc = spec.description ?? spec.name.replace(/_/g, ' ');
    if (spec.type === 'bool') {
      cmd.option(`--${flag}`, desc);
      cmd.option(`--no-${flag}`, `not ${desc}`);
      continue;
    }
    const hint = spec.values ? ` (${spec.values.join('|')})` : '';
    cmd.option(`--${flag} <${valueName(spec)}>`, `${desc}${hint}`, (raw: string) => {
      const problem = shapeError(spec, raw);
      if (problem) throw new InvalidArgumentError(problem);
      return raw;
    });
  }
  return cmd;
}

function valueName(spec: FieldSpec): string {
  switch (spec.type) {
    case 'int':
      return 'n';
    case 'date':
      return 'YYYY-MM-DD';
    case 'money':
      return 'amount';
    case 'email':
      return 'email';
    default:
      return 'value';
  }
}

/** The fields given on the command line, keyed by snake_case name. */
export function readFieldInput(opts: Record<string, unknown>, specs: readonly FieldSpec[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = opts[optionKey(spec.name)];
    if (v !== undefined) input[spec.name] = v;
  }
  return input;
}

/**
 * Required fields that were not given: asked for on a terminal, otherwise a usage error naming every
 * missing flag at once (never waits for input). Returns true when anything was prompted.
 */
async function fillRequired(s: Session, specs: readonly FieldSpec[], input: Record<string, unknown>): Promise<boolean> {
  const missing = specs.filter((f) => f.required && (input[f.name] === undefined || input[f.name] === ''));
  if (missing.length === 0) return false;
  if (!s.interactive) {
    const flags = missing.map((f) => `--${flagName(f.name)}`).join(', ');
    throw new UsageError(`missing required option${missing.length > 1 ? 's' : ''}: ${flags}`);
  }
  for (const f of missing) input[f.name] = await ask(f);
  return true;
}

async function ask(spec: FieldSpec): Promise<string> {
  const label = spec.description ?? spec.name.replace(/_/g, ' ');
  if (spec.values) return askSelect(label, spec.values);
  return askInput(label, (v) => {
    if (v.trim() === '') return `${label} is required`;
    const r = coerce(spec, v);
    return r.ok ? true : `${label} ${r.rule}`;
  });
}

/** `--field NAME=VALUE` (repeatable) for accounts' custom fields. */
export function collectPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`${quote(value)} is not NAME=VALUE`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

export function parseIntOption(raw: string): number {
  const problem = shapeProblem('int', raw);
  if (problem) throw new InvalidArgumentError(problem);
  const n = Number(raw);
  // beyond 2^53 − 1 the number read is not the one written: say so rather than name a rounded value
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${quote(raw)} is larger than ${Number.MAX_SAFE_INTEGER}, the largest whole number accepted`);
  return n;
}

export { parseDateOption } from './date-option.js';

export function formatOption(): Option {
  return new Option('--format <format>', 'output format (default table; --json is short for --format json)').choices([
    'table',
    'json',
    'csv',
  ]);
}

/**
 * The body of every `add`: take the flags, prompt for what is missing on a terminal, save, and when
 * anything was prompted offer "add another?" (a "Save and add new" button) with fresh prompts.
 */
export async function addLoop(
  s: Session,
  specs: readonly FieldSpec[],
  what: string,
  save: (input: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  let input = readFieldInput(s.opts, specs);
  for (;;) {
    const prompted = await fillRequired(s, specs, input);
    await save(input);
    if (!prompted || !(await askConfirm(`Add another ${what}?`, false))) return;
    input = {};
  }
}
