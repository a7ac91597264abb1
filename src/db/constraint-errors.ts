/**
 * Constraint failures (SQLite's SQLITE_CONSTRAINT_*, PostgreSQL's SQLSTATE class 23) become the same
 * conflict errors naming the table and fields, in one place. The
 * services check uniqueness and references first with friendlier messages; this catches what slips
 * past them, e.g. two processes adding the same key at the same moment.
 */
import { ConflictError } from '../errors.js';
import { KEY_COLUMNS } from './schema/key-columns.js';

const REFERENCED = 'a record is still referenced by others, or refers to one that does not exist';

export function translateConstraint(e: unknown): unknown {
  const err = e as { code?: unknown; message?: string; table?: string; detail?: string; severity?: string };
  if (typeof err?.code === 'string' && err.severity !== undefined && err.code.startsWith('23')) return translatePostgres(err as PgError);
  if (typeof err?.code !== 'string' || !err.code.startsWith('SQLITE_CONSTRAINT')) return e;
  const unique = /UNIQUE constraint failed: (.+)$/.exec(err.message ?? '');
  if (unique?.[1]) {
    const cols = unique[1].split(', ');
    const table = cols[0]?.split('.')[0] ?? '';
    return new ConflictError(`${table}: ${cols.map((c) => shownColumn(table, c.split('.').pop()!)).join(' + ')} already exists`);
  }
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ConflictError(REFERENCED);
  }
  return new ConflictError(`the database refused the change: ${err.message ?? err.code}`);
}

interface PgError {
  code: string;
  message: string;
  table?: string;
  detail?: string;
}

/** 23505 unique_violation: "Key (a, b)=(…) already exists." names the columns as SQLite does. */
function translatePostgres(err: PgError): ConflictError {
  if (err.code === '23503') return new ConflictError(REFERENCED);
  const cols = err.code === '23505' ? /^Key \(([^)]*)\)=/.exec(err.detail ?? '')?.[1] : undefined;
  if (cols !== undefined && err.table) {
    const table = err.table;
    return new ConflictError(
      `${table}: ${cols
        .split(', ')
        .map((c) => shownColumn(table, c))
        .join(' + ')} already exists`,
    );
  }
  return new ConflictError(`the database refused the change: ${err.message}`);
}

/** A stored folded key is named by the key it is the fold of (email_key → email). */
function shownColumn(table: string, column: string): string {
  return KEY_COLUMNS.find((k) => k.table === table && k.key === column)?.source ?? column;
}
