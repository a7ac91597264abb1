/**
 * An import: one file, or every ENTITY.csv of a directory, in one write transaction. All-or-nothing by
 * default (any bad row → rollback, every error listed); `--skip-invalid` applies the valid rows;
 * `--dry-run` does the whole import and rolls it back, so its counts are exact. The connection's
 * settings come from src/import/bulk/session.ts, the files' passes from src/import/passes.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DbHandle } from '../db/connection.js';
import { writeTx } from '../db/tx.js';
import { refuseSameFile } from '../lib/output-file.js';
import type { Op } from '../op.js';
import type { Counts } from './batch.js';
import { importSession } from './bulk/session.js';
import type { DateFormat } from './cells.js';
import type { FileJob, ReadOptions } from './engine.js';
import { ImportFileError } from './errors.js';
import { importFiles, Rollback } from './passes.js';
import { openRejects, rejectsPaths } from './rejects.js';
import { ENTITY_DEFS } from './entities/index.js';
import { ENTITIES, type EntityName, type OnExisting } from './entities/types.js';

export interface ImportRequest {
  /** the entity, or 'all' */
  entity: EntityName | 'all';
  /** the file (or directory for 'all') as typed; `-` is standard input */
  source: string;
  /** the file to read when it is not `source`: standard input or a pipe, copied into a private temporary file */
  file?: string;
  read: ReadOptions;
  dateFormat: DateFormat;
  onExisting: OnExisting;
  skipInvalid: boolean;
  dryRun: boolean;
  maxErrors: number;
  /** a file (a directory for 'all') for the rejected rows */
  rejects?: string;
  onProgress?: (bytes: number, rows: number) => void;
  /** false: read every file on this thread, even a large one (the command line's ACCTMGR_IMPORT_THREADS=1) */
  readerThread?: boolean;
  /** false: every file row by row, even a large one (no bulk load: tests compare the two ways on one file) */
  bulk?: boolean;
}

export interface ImportSummary {
  batch_id: number | null;
  entities: Partial<Record<EntityName, Counts>>;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  seconds: number;
  rows_per_second: number;
}

export interface ImportOutcome {
  summary: ImportSummary;
  /** error lines to print (the first --max-errors, then a count) */
  errors: string[];
  errorCount: number;
  /** true when the import refused to write because of invalid rows (all-or-nothing) */
  failed: boolean;
  dryRun: boolean;
  /** How it ran (shown with --debug): reader threads, journal mode. */
  notes: string[];
}

/** The jobs of a request: one file, or each ENTITY.csv of the directory in dependency order. */
export function planJobs(req: Pick<ImportRequest, 'entity' | 'source' | 'file'>): FileJob[] {
  const isDir = fs.existsSync(req.source) && fs.statSync(req.source).isDirectory();
  if (req.entity !== 'all') {
    const label = req.source === '-' ? '<stdin>' : req.source;
    if (req.file) return [{ entity: ENTITY_DEFS[req.entity], path: req.file, label }];
    if (!fs.existsSync(req.source)) throw new ImportFileError(`${req.source}: no such file`);
    if (isDir) throw new ImportFileError(`${req.source}: is a directory (did you mean: acctmgr import all ${req.source}?)`);
    return [{ entity: ENTITY_DEFS[req.entity], path: req.source, label }];
  }
  if (!isDir) throw new ImportFileError(`${req.source}: no such directory`);
  const jobs = ENTITIES.filter((e) => fs.existsSync(path.join(req.source, `${e}.csv`))).map((e) => ({
    entity: ENTITY_DEFS[e],
    path: path.join(req.source, `${e}.csv`),
    label: path.join(req.source, `${e}.csv`),
  }));
  if (jobs.length === 0) throw new ImportFileError(`${req.source}: has none of ${ENTITIES.map((e) => `${e}.csv`).join(', ')}`);
  return jobs;
}

/** The files the request's rejected rows would go to (none without --rejects). */
export function rejectsOutputs(req: ImportRequest): string[] {
  return req.rejects ? [...rejectsPaths(req, planJobs(req)).values()] : [];
}

export async function runImport(h: DbHandle, op: Op, req: ImportRequest): Promise<ImportOutcome> {
  const jobs = planJobs(req);
  // standard input, or the pipe that was copied: its own file (a shell's `< FILE`) counts as an input too
  const read = req.file ? [req.source === '-' ? '/dev/stdin' : req.source] : [];
  refuseSameFile([...rejectsPaths(req, jobs).values()], [...jobs.map((j) => j.path), ...read]);
  const started = process.hrtime.bigint();
  const notes: string[] = [];
  const outcome = await importSession(h, jobs, notes, async (s) => {
    const rejects = openRejects(req, jobs);
    try {
      return await writeTx(s.db, (trx) => importFiles(s.statements(trx), op, req, jobs, notes, rejects));
    } catch (e) {
      if (e instanceof Rollback) return e.outcome;
      throw e;
    } finally {
      for (const w of rejects.values()) w.discard();
    }
  });
  // the timing the user sees includes the commit
  const s = outcome.summary;
  return { ...outcome, summary: summarize(s.batch_id, s.entities, s, started), notes };
}

function summarize(batchId: number | null, entities: ImportSummary['entities'], t: Counts, started: bigint): ImportSummary {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = t.inserted + t.updated + t.unchanged + t.rejected;
  return {
    batch_id: batchId,
    entities,
    ...t,
    seconds: Math.round(seconds * 1000) / 1000,
    rows_per_second: seconds > 0 ? Math.round(rows / seconds) : rows,
  };
}
