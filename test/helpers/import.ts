/** Imports in-process, for the import and export tests (the service, not the command line), and snapshots of the database. */
import { expect } from 'vitest';
import type { Kysely } from '#kysely';
import fs from 'node:fs';
import path from 'node:path';
import { checkDatabase } from '../../src/db/maintenance.js';
import { runImport, type ImportRequest } from '../../src/import/service.js';
import type { Op } from '../../src/op.js';
import { ROOT } from './cli.js';
import { tempDir, testOp, type TestDb } from './db.js';

export const ALL_DIR = path.join(ROOT, 'test/fixtures-import/all');

export function request(entity: ImportRequest['entity'], source: string, over: Partial<ImportRequest> = {}): ImportRequest {
  return {
    entity,
    source,
    read: { map: {}, ignoreUnknown: false },
    dateFormat: 'YYYY-MM-DD',
    onExisting: 'update',
    skipInvalid: false,
    dryRun: false,
    maxErrors: 50,
    ...over,
  };
}

export class Importer {
  readonly dir = tempDir('acctmgr-import-');

  constructor(private readonly t: TestDb) {}

  file(name: string, content: string): string {
    const p = path.join(this.dir, name);
    fs.writeFileSync(p, content);
    return p;
  }

  /** Imports CSV text as ENTITY.csv (or a directory for 'all'). */
  run(entity: ImportRequest['entity'], content: string, over: Partial<ImportRequest> = {}, op: Op = testOp()) {
    const source = entity === 'all' ? content : this.file(`${entity}.csv`, content);
    return runImport(this.t.handle, op, request(entity, source, over));
  }

  /** Every table's rows, for "the database is unchanged in content" (both engines: kysely's introspection). */
  async snapshot(): Promise<Record<string, unknown[]>> {
    const db = this.t.db as Kysely<any>;
    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    const out: Record<string, unknown[]> = {};
    for (const name of tables) {
      const rows = (await db.selectFrom(name).selectAll().execute()).map((r) => JSON.stringify(r));
      out[name] = rows.sort();
    }
    expect((await checkDatabase(this.t.handle)).ok).toBe(true);
    return out;
  }
}

/** What an import returns. */
export type ImportRun = Awaited<ReturnType<Importer['run']>>;

/** Imports each entity's CSV lines (the header first) in the order given, each expected to succeed. */
export async function importLines(
  imp: Importer,
  op: Op,
  files: Partial<Record<ImportRequest['entity'], readonly string[]>>,
): Promise<void> {
  for (const [entity, rows] of Object.entries(files) as [ImportRequest['entity'], string[]][])
    expect((await imp.run(entity, `${rows.join('\n')}\n`, {}, op)).errors).toEqual([]);
}

/** An import's summary without what differs from run to run (its batch and its timing): to compare two runs. */
export function sameRun<S extends { batch_id?: number | null; seconds: number; rows_per_second: number }>(s: S): S {
  return { ...s, batch_id: 0, seconds: 0, rows_per_second: 0 };
}

export async function loadAll(t: TestDb): Promise<void> {
  const out = await runImport(t.handle, testOp(), request('all', ALL_DIR));
  if (out.failed) throw new Error(out.errors.join('\n'));
}
