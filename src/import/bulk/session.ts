/**
 * How the connection runs one import, chosen once from its files. SQLite (src/db/bulk.ts): a larger page
 * cache; for large files a rollback journal instead of WAL; for one large file of an importer that
 * proves its own references, no per-row foreign-key checks. PostgreSQL: the import runs on a connection
 * of its own (src/db/pg-copy.ts), so that its transaction and the COPY of a large file share it.
 */
import fs from 'node:fs';
import type { Kysely } from '#kysely';
import { withoutForeignKeys, withRollbackJournal } from '../../db/bulk.js';
import type { DbHandle } from '../../db/connection.js';
import type { DB } from '../../db/schema/index.js';
import type { FileJob } from '../engine.js';
import { openStatements } from '../open-statements.js';
import { PgStatements } from '../pg-statements.js';
import type { AnyStatements } from '../statements.js';
import { BULK_MIN_BYTES } from './bulk-table.js';

/** Where an import runs: the database to open its transaction on, and its statements inside it. */
export interface ImportDb {
  db: Kysely<DB>;
  statements(trx: Kysely<DB>): AnyStatements;
}

export async function importSession<T>(
  h: DbHandle,
  jobs: readonly FileJob[],
  notes: string[],
  run: (s: ImportDb) => Promise<T>,
): Promise<T> {
  if (h.pool) {
    // loaded here: the COPY stream and cursor packages are of no use to SQLite (≈ 50 ms of each import's start)
    const { PgSession } = await import('../../db/pg-copy.js');
    const session = await PgSession.open(h.pool);
    try {
      return await run({ db: session.db, statements: (trx) => new PgStatements(trx, session) });
    } finally {
      await session.close();
    }
  }
  const sqlite = h.sqlite!;
  const same: ImportDb = { db: h.db, statements: (trx) => openStatements(h, trx) };
  // a larger page cache keeps the index B-trees of a large import in memory (per connection, 96 MB: more is faster but the 1M-row import must stay under 300 MB RSS)
  sqlite.pragma('cache_size = -98304');
  const checked = relaxesForeignKeys(jobs) ? () => withoutForeignKeys(sqlite, () => run(same)) : () => run(same);
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
