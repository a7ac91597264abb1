/** SQLite-level maintenance: online backup and integrity checks. */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { KEY_COLUMNS } from '../keys/columns.js';
import { foldKey } from '../lib/keys.js';
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
  /** stored folded keys that are not the fold of their key as written (the first 100) */
  key_mismatches: KeyMismatch[];
}

export interface KeyMismatch {
  table: string;
  id: number;
  column: string;
}

export function checkDatabase(h: DbHandle): CheckReport {
  const integrity = (h.sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const fk = h.sqlite.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
  const violations = fk.map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
  const intact = integrity.length === 1 && integrity[0] === 'ok';
  // a damaged file is not read further than the integrity check needs
  const keys = intact ? keyMismatches(h.sqlite, 100) : [];
  return {
    ok: intact && violations.length === 0 && keys.length === 0,
    integrity,
    foreign_key_violations: violations,
    key_mismatches: keys,
  };
}

/** Every stored key column against the fold of its key (src/keys/columns.ts): what no writer may miss. */
function keyMismatches(sqlite: Database.Database, max: number): KeyMismatch[] {
  const out: KeyMismatch[] = [];
  for (const k of KEY_COLUMNS) {
    if (!k.key) continue;
    const rows = sqlite.prepare(`select id, "${k.source}", "${k.key}" from "${k.table}" order by id`).raw(true);
    for (const [id, value, key] of rows.iterate() as Iterable<[number, unknown, unknown]>) {
      if (typeof value === 'string' && key === foldKey(value)) continue;
      out.push({ table: k.table, id, column: k.key });
      if (out.length === max) return out;
    }
  }
  return out;
}
