/** SQLite-level maintenance: online backup and integrity checks. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError, EXIT } from '../errors.js';
import { createPrivateTemp, outputKind } from '../lib/output-file.js';
import type { DbHandle } from './connection.js';

/** Tests only: called while pages are being copied, with the temporary file's path. */
export const backupTestSeam = { copying: (_tmp: string): void => undefined };

/**
 * SQLite's online backup API: a consistent copy even while another process writes. Copied into a 0600
 * temporary file beside the target, checked with `PRAGMA quick_check`, then renamed over the target: a
 * failed backup, or the copy of a damaged database, leaves the target as it was and no temporary file.
 */
export async function backupTo(h: DbHandle, target: string): Promise<{ path: string; bytes: number; pages: number }> {
  outputKind(target, false);
  const tmp = createPrivateTemp(path.dirname(path.resolve(target)), target);
  fs.closeSync(tmp.fd);
  try {
    const result = await h.sqlite.backup(tmp.path, {
      progress: () => {
        backupTestSeam.copying(tmp.path);
        return 100;
      },
    });
    const problems = quickCheck(tmp.path);
    if (problems.length > 0) {
      throw new AppError(
        `the backup copy fails quick_check, so the database is damaged; ${target} was not written\n  ${problems.slice(0, 10).join('\n  ')}`,
        'invalid_data',
        EXIT.failed,
        'run acctmgr db check; restore the last good backup',
      );
    }
    fs.renameSync(tmp.path, target);
    return { path: target, bytes: fs.statSync(target).size, pages: result.totalPages };
  } finally {
    for (const f of [tmp.path, `${tmp.path}-journal`, `${tmp.path}-wal`, `${tmp.path}-shm`]) fs.rmSync(f, { force: true });
  }
}

/** The copy's quick_check findings (none: it is sound); a copy too damaged to check is one finding. */
function quickCheck(file: string): string[] {
  let copy: Database.Database | undefined;
  try {
    copy = new Database(file, { readonly: true });
    const rows = (copy.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
  } catch (e) {
    return [(e as Error).message];
  } finally {
    copy?.close();
  }
}

export interface CheckReport {
  ok: boolean;
  integrity: string[];
  foreign_key_violations: { table: string; rowid: number | null; parent: string }[];
}

export function checkDatabase(h: DbHandle): CheckReport {
  const integrity = (h.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const fk = h.sqlite.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
  const violations = fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
  return {
    ok: integrity.length === 1 && integrity[0] === 'ok' && violations.length === 0,
    integrity,
    foreign_key_violations: violations,
  };
}
