/**
 * An import: one file, or every ENTITY.csv of a directory, in one write transaction. All-or-nothing by
 * default (any bad row → rollback, every error listed); `--skip-invalid` applies the valid rows;
 * `--dry-run` does the whole import and rolls it back, so its counts are exact.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import { withoutForeignKeys, withRollbackJournal } from '../db/bulk.js';
import { writeTx } from '../db/tx.js';
import { refuseSameFile } from '../lib/output-file.js';
import type { Op } from '../op.js';
import { BatchRecorder, zeroCounts, type Counts } from './batch.js';
import { BULK_MIN_BYTES } from './bulk-table.js';
import type { DateFormat } from './cells.js';
import { runFile, type FileJob, type ReadOptions } from './engine.js';
import { ErrorSink, ImportFileError, type RowProblem } from './errors.js';
import { openRejects, rejectsPaths, type RejectsWriter } from './rejects.js';
import { SqliteStatements } from './sqlite-statements.js';
import type { Statements } from './statements.js';
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

/** Thrown inside the transaction to roll it back while keeping what the attempt found. */
class Rollback {
  constructor(
    readonly outcome?: ImportOutcome,
    readonly retry?: Map<string, Map<number, RowProblem[]>>,
  ) {}
}

const MAX_ATTEMPTS = 10;

export async function runImport(db: Kysely<DB>, sqlite: Database.Database, op: Op, req: ImportRequest): Promise<ImportOutcome> {
  const jobs = planJobs(req);
  // standard input, or the pipe that was copied: its own file (a shell's `< FILE`) counts as an input too
  const read = req.file ? [req.source === '-' ? '/dev/stdin' : req.source] : [];
  refuseSameFile([...rejectsPaths(req, jobs).values()], [...jobs.map((j) => j.path), ...read]);
  // a larger page cache keeps the index B-trees of a large import in memory (per connection, 96 MB: more is faster but the 1M-row import must stay under 300 MB RSS)
  sqlite.pragma('cache_size = -98304');
  const exclude = new Map<string, Map<number, RowProblem[]>>();
  const started = process.hrtime.bigint();
  const notes: string[] = [];
  const run = () => attempts(db, sqlite, op, req, jobs, exclude, started, notes);
  const checked = relaxesForeignKeys(jobs) ? () => withoutForeignKeys(sqlite, run) : run;
  const outcome = isLarge(jobs)
    ? await withRollbackJournal(sqlite, (switched) => {
        notes.push(switched ? 'written with a rollback journal (no other connection had the database open)' : 'written in WAL mode (another connection has the database open)');
        return checked();
      })
    : await checked();
  // the timing the user sees includes the commit
  const s = outcome.summary;
  return { ...outcome, summary: summarize(s.batch_id, s.entities, s, started), notes };
}

/** Files this large write most of their pages anew: a rollback journal beats WAL (src/db/bulk.ts). */
function isLarge(jobs: readonly FileJob[]): boolean {
  return jobs.reduce((n, j) => n + fs.statSync(j.path).size, 0) >= BULK_MIN_BYTES;
}

/**
 * One large contacts file runs with foreign-key enforcement off (src/db/bulk.ts): the contacts
 * importer then checks every account id it wrote, and the batch that its rows (import_batch_id) and
 * bookkeeping rows point to is checked before commit (attemptImport), so every reference the
 * transaction writes is still proven.
 */
function relaxesForeignKeys(jobs: readonly FileJob[]): boolean {
  return jobs.length === 1 && jobs[0]!.entity.name === 'contacts' && fs.statSync(jobs[0]!.path).size >= BULK_MIN_BYTES;
}

async function attempts(
  db: Kysely<DB>,
  sqlite: Database.Database,
  op: Op,
  req: ImportRequest,
  jobs: FileJob[],
  exclude: Map<string, Map<number, RowProblem[]>>,
  started: bigint,
  notes: string[],
): Promise<ImportOutcome> {
  for (let attempt = 1; ; attempt++) {
    const rejects = openRejects(req, jobs);
    try {
      return await writeTx(db, (trx) => attemptImport(new SqliteStatements(trx, sqlite), op, req, jobs, exclude, started, attempt, notes, rejects));
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
      if (e.outcome) return e.outcome;
      for (const [label, lines] of e.retry!) {
        const m = exclude.get(label) ?? new Map<number, RowProblem[]>();
        for (const [line, p] of lines) m.set(line, p);
        exclude.set(label, m);
      }
    } finally {
      for (const w of rejects.values()) w.discard();
    }
  }
}

async function attemptImport(
  statements: Statements,
  op: Op,
  req: ImportRequest,
  jobs: FileJob[],
  exclude: Map<string, Map<number, RowProblem[]>>,
  started: bigint,
  attempt: number,
  notes: string[],
  rejectsOf: ReadonlyMap<string, RejectsWriter>,
): Promise<ImportOutcome> {
  const batch = await BatchRecorder.start(statements, op, req.entity, req.source);
  const ctx = { statements, op, batch, onExisting: req.onExisting, dateFormat: req.dateFormat };
  const entities: Partial<Record<EntityName, Counts>> = {};
  const sinks: ErrorSink[] = [];
  const retry = new Map<string, Map<number, RowProblem[]>>();
  let bytesBefore = 0;
  let rowsBefore = 0;
  for (const job of jobs) {
    const sink = new ErrorSink(job.label, req.maxErrors);
    sinks.push(sink);
    const rejects = rejectsOf.get(job.label);
    const size = fs.statSync(job.path).size;
    let rowsNow = 0;
    const run = await runFile(ctx, job, {
      read: req.read,
      sink,
      exclude: exclude.get(job.label) ?? new Map(),
      rejects,
      onBytes: (b) => req.onProgress?.(bytesBefore + b, rowsBefore + rowsNow),
      onRows: (r) => (rowsNow = r),
    });
    entities[job.entity.name] = run.counts;
    if (run.threaded) notes.push(`${job.label}: rows read and prepared in a reader thread (attempt ${attempt})`);
    if (run.deferred.length > 0 && req.skipInvalid && attempt < MAX_ATTEMPTS) {
      retry.set(job.label, new Map(run.deferred.map((d) => [d.line, d.problems])));
    }
    bytesBefore += size;
    rowsBefore += rowsNow;
  }
  if (retry.size > 0) throw new Rollback(undefined, retry);
  const total = sumCounts(Object.values(entities));
  const errorCount = sinks.reduce((n, s) => n + s.total, 0);
  const failed = errorCount > 0 && !req.skipInvalid;
  const outcome = (batchId: number | null): ImportOutcome => ({
    summary: summarize(batchId, entities, total, started),
    errors: sinks.flatMap((s) => s.lines()),
    errorCount,
    failed,
    dryRun: req.dryRun,
    notes,
  });
  // the outcome is final from here: the rejects files go in place before the commit, so a failed
  // commit leaves them (the import can run again) rather than rows imported and their rejects lost
  // a batch is an import that writes: one that changed nothing leaves no batch and no audit row
  if (failed || req.dryRun || total.inserted + total.updated === 0) {
    for (const w of rejectsOf.values()) w.commit();
    throw new Rollback(outcome(null));
  }
  await batch.finish(total, entities as Record<string, Counts>, { source: req.source, dry_run: false });
  if (!statements.foreignKeysEnforced() && statements.missingIds('import_batches', [batch.id]).length > 0) {
    throw new Error(`import: batch ${batch.id} is missing; its bookkeeping rows would point nowhere`);
  }
  for (const w of rejectsOf.values()) w.commit();
  return outcome(batch.id);
}

function sumCounts(list: readonly Counts[]): Counts {
  const t = zeroCounts();
  for (const c of list) {
    t.inserted += c.inserted;
    t.updated += c.updated;
    t.unchanged += c.unchanged;
    t.rejected += c.rejected;
  }
  return t;
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
