/**
 * Typed errors. Each carries the exit code it maps to; only src/main.ts turns them into an exit.
 * Exit codes are part of the public contract (docs/basics.md "Exit codes", `acctmgr help exit-codes`).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
} as const;

export type ErrorCode = 'usage' | 'not_found' | 'conflict' | 'invalid_data' | 'refused' | 'delivery';

export class AppError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Something that can be seen without the database: unknown option, missing flag, unparsable value. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'usage', EXIT.usage, hint);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, key: string, hint?: string) {
    super(`${entity} not found: "${key}"`, 'not_found', EXIT.failed, hint);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'conflict', EXIT.failed, hint);
  }
}

/** A rule refused the operation (e.g. a 6th primary contact, removing a manager who holds accounts). */
export class RefusedError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'refused', EXIT.failed, hint);
  }
}

/**
 * The one shape of a broken rule, from the command line and from a CSV row alike: the field (the CSV
 * column), the value as given and the rule in words. A field '' is a problem of a whole CSV row.
 */
export interface FieldProblem {
  field: string;
  value: unknown;
  rule: string;
}

/** One or more field values break a rule. The message names field, value and rule. */
export class InvalidDataError extends AppError {
  constructor(
    readonly problems: FieldProblem[],
    hint?: string,
  ) {
    super(problems.map(formatProblem).join('\n'), 'invalid_data', EXIT.failed, hint);
  }
}

export class DeliveryError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'delivery', EXIT.failed, hint);
  }
}

/** `field: "value": rule`, how every message names a problem (a whole-row problem: the rule alone). */
export function formatProblem(p: FieldProblem): string {
  return p.field === '' ? p.rule : `${p.field}: ${quoteValue(p.value)}: ${p.rule}`;
}

/** A value in a message: cut after 200 characters, in quotes, control and invisible characters escaped. */
function quoteValue(value: unknown): string {
  return quote(showValue(value));
}

/** Values in messages: cut after 200 characters. */
function showValue(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * A value in quotes as a message shows it: control characters escaped (JSON's rules), and so are the
 * invisible formatting characters and line separators that JSON leaves raw (U+200B shows as \u200b).
 */
export function quote(text: string): string {
  return JSON.stringify(text).replace(/[\p{Cf}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value another record holds already, named as every problem is (`field: "value": rule`). */
export function conflict(p: FieldProblem, hint?: string): ConflictError {
  return new ConflictError(formatProblem(p), hint);
}

export function invalid(field: string, value: unknown, rule: string): InvalidDataError {
  return new InvalidDataError([{ field, value, rule }]);
}
