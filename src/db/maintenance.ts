/** SQLite-level maintenance: online backup and integrity checks. */
import fs from 'node:fs';
import type { DbHandle } from './connection.js';

/**
 * SQLite's online backup API: a consistent copy even while another process writes. Written to a
 * temporary file beside the target and renamed, so a failed backup never leaves a half file.
 */
export async function backupTo(h: DbHandle, target: string): Promise<{ path: string; bytes: number; pages: number }> {
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  try {
    const result = await h.sqlite.backup(tmp);
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, target);
    return { path: target, bytes: fs.statSync(target).size, pages: result.totalPages };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
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
