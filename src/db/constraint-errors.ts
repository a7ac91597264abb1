/**
 * SQLite constraint failures become conflict errors naming the table and fields, in one place. The
 * services check uniqueness and references first with friendlier messages; this catches what slips
 * past them, e.g. two processes adding the same key at the same moment.
 */
import { ConflictError } from '../errors.js';
import { KEY_COLUMNS } from './schema/key-columns.js';

export function translateConstraint(e: unknown): unknown {
  const err = e as { code?: unknown; message?: string };
  if (typeof err?.code !== 'string' || !err.code.startsWith('SQLITE_CONSTRAINT')) return e;
  const unique = /UNIQUE constraint failed: (.+)$/.exec(err.message ?? '');
  if (unique?.[1]) {
    const cols = unique[1].split(', ');
    const table = cols[0]?.split('.')[0] ?? '';
    return new ConflictError(`${table}: ${cols.map((c) => shownColumn(table, c.split('.').pop()!)).join(' + ')} already exists`);
  }
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ConflictError('a record is still referenced by others, or refers to one that does not exist');
  }
  return new ConflictError(`the database refused the change: ${err.message ?? err.code}`);
}

/** A stored folded key is named by the key it is the fold of (email_key → email). */
function shownColumn(table: string, column: string): string {
  return KEY_COLUMNS.find((k) => k.table === table && k.key === column)?.source ?? column;
}
