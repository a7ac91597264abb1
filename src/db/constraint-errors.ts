/** SQLite constraint failures become conflict errors naming the field, in one place. */
import { ConflictError } from '../errors.js';

export function translateConstraint(e: unknown, entity: string): unknown {
  const err = e as { code?: string; message?: string };
  if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(err.message ?? '');
    const fields = m?.[1]?.split(', ').map((f) => f.split('.').pop()) ?? [];
    return new ConflictError(`${entity}: ${fields.join(' + ') || 'a unique value'} already exists`);
  }
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ConflictError(`${entity}: still referenced by other records (or refers to a missing one)`);
  }
  return e;
}
