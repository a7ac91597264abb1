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

/**
 * The checks of `db check`. A page damaged badly enough makes SQLite refuse a check outright
 * (SQLITE_CORRUPT) instead of listing problems: that refusal is then what the report says.
 */
export function checkDatabase(h: DbHandle): CheckReport {
  const integrity: string[] = [];
  try {
    integrity.push(...(h.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check));
  } catch (e) {
    integrity.push(sqliteFailure(e, 'integrity_check'));
  }
  let violations: CheckReport['foreign_key_violations'] = [];
  try {
    const fk = h.sqlite.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
    violations = fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
  } catch (e) {
    integrity.push(sqliteFailure(e, 'foreign_key_check'));
  }
  return {
    ok: integrity.length === 1 && integrity[0] === 'ok' && violations.length === 0,
    integrity,
    foreign_key_violations: violations,
  };
}

/** `db check` on a file: a database that cannot even be opened and read is reported, not thrown. */
export async function checkFile(open: () => Promise<DbHandle>): Promise<CheckReport> {
  let h: DbHandle;
  try {
    h = await open();
  } catch (e) {
    return { ok: false, integrity: [sqliteFailure(e, 'open')], foreign_key_violations: [] };
  }
  return checkDatabase(h);
}

/** The message of a SQLite error (its code says so); anything else is not a finding but a failure. */
function sqliteFailure(e: unknown, what: string): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw e;
  return `${what} failed: ${(e as Error).message} (${code})`;
}
