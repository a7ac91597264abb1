/**
 * How the connection runs one import, chosen once from its files (SQLite: src/db/bulk.ts): a larger page
 * cache; for large files a rollback journal instead of WAL; for one large file of an importer that
 * proves its own references, no per-row foreign-key checks. PostgreSQL (no `sqlite`) has none of these
 * settings: the import runs as it is.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { withoutForeignKeys, withRollbackJournal } from '../../db/bulk.js';
import type { FileJob } from '../engine.js';
import { BULK_MIN_BYTES } from './bulk-table.js';

export async function importSession<T>(
  sqlite: Database.Database | undefined,
  jobs: readonly FileJob[],
  notes: string[],
  run: () => Promise<T>,
): Promise<T> {
  if (!sqlite) return run();
  // a larger page cache keeps the index B-trees of a large import in memory (per connection, 96 MB: more is faster but the 1M-row import must stay under 300 MB RSS)
  sqlite.pragma('cache_size = -98304');
  const checked = relaxesForeignKeys(jobs) ? () => withoutForeignKeys(sqlite, run) : run;
  if (!isLarge(jobs)) return checked();
  return withRollbackJournal(sqlite, (switched) => {
    notes.push(
      switched
        ? 'written with a rollback journal (no other connection had the database open)'
        : 'written in WAL mode (another connection has the database open)',
    );
    return checked();
  });
}

/** Files this large write most of their pages anew: a rollback journal beats WAL (src/db/bulk.ts). */
function isLarge(jobs: readonly FileJob[]): boolean {
  return jobs.reduce((n, j) => n + fs.statSync(j.path).size, 0) >= BULK_MIN_BYTES;
}

/**
 * One large file of an importer that proves its references (contacts: every account id it wrote) runs
 * with foreign-key enforcement off (src/db/bulk.ts); the batch that its rows (import_batch_id) and
 * bookkeeping rows point to is checked before commit (src/import/passes.ts), so every reference the
 * transaction writes is still proven.
 */
function relaxesForeignKeys(jobs: readonly FileJob[]): boolean {
  return jobs.length === 1 && jobs[0]!.entity.provesReferences === true && fs.statSync(jobs[0]!.path).size >= BULK_MIN_BYTES;
}
