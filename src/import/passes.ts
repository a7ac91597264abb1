/**
 * The files of an import inside its one transaction, in order, each read once; with --skip-invalid, a
 * file whose checks at the end (forward references, cycles) refused rows it had applied is read once
 * more, from a savepoint, without them and without the rows that referred to them (the importer works
 * those out from its first run: `refusedWithout`). Later files then see exactly the rows that stay.
 */
import fs from 'node:fs';
import type { Op } from '../op.js';
import { markSequences, type SequenceMarks } from '../db/sequences.js';
import { BatchRecorder, zeroCounts, type Counts } from './batch.js';
import { runFile, type FileJob, type FileRun } from './engine.js';
import { ErrorSink, ImportFileError, type RowProblem } from './errors.js';
import type { RejectsWriter } from './rejects.js';
import type { ImportOutcome, ImportRequest } from './service.js';
import { savepoint, type AnyStatements } from './statements.js';
import type { EntityName, ImportContext } from './entities/types.js';

/** Thrown inside the transaction to roll it back with the outcome the import found. */
export class Rollback extends Error {
  constructor(readonly outcome: ImportOutcome) {
    super('import rolled back');
  }
}

export interface Progress {
  onBytes: (bytes: number) => void;
  onRows: (rows: number) => void;
}

export async function importFiles(
  statements: AnyStatements,
  op: Op,
  req: ImportRequest,
  jobs: readonly FileJob[],
  notes: string[],
  rejectsOf: ReadonlyMap<string, RejectsWriter>,
): Promise<ImportOutcome> {
  // a dry run or a refused import gives back the ids it drew, as SQLite's rollback does (src/db/sequences.ts)
  const sequences = await markSequences(statements.db);
  try {
    return await importRows(statements, op, req, jobs, notes, rejectsOf, sequences);
  } catch (e) {
    // a file refused as a whole (its header, encoding, an unterminated quote …) gives back its batch
    // number and ids too; an unexpected error leaves a gap, as documented (and so does a give-back that
    // fails: the refusal is what the user needs to see)
    if (e instanceof ImportFileError) await sequences.giveBack().catch(() => undefined);
    throw e;
  }
}

async function importRows(
  statements: AnyStatements,
  op: Op,
  req: ImportRequest,
  jobs: readonly FileJob[],
  notes: string[],
  rejectsOf: ReadonlyMap<string, RejectsWriter>,
  sequences: SequenceMarks,
): Promise<ImportOutcome> {
  const batch = await BatchRecorder.start(statements, op, req.entity, req.source);
  const ctx: ImportContext = { statements, op, batch, onExisting: req.onExisting, dateFormat: req.dateFormat, notes };
  const entities: Partial<Record<EntityName, Counts>> = {};
  const sinks: ErrorSink[] = [];
  let bytesBefore = 0;
  let rowsBefore = 0;
  for (const job of jobs) {
    const size = fs.statSync(job.path).size;
    let rowsNow = 0;
    const { run, sink } = await runPasses(ctx, job, req, rejectsOf.get(job.label), notes, {
      onBytes: (b) => req.onProgress?.(bytesBefore + b, rowsBefore + rowsNow),
      onRows: (r) => (rowsNow = r),
    });
    sinks.push(sink);
    entities[job.entity.name] = run.counts;
    bytesBefore += size;
    rowsBefore += rowsNow;
  }
  const total = sumCounts(Object.values(entities));
  const errorCount = sinks.reduce((n, s) => n + s.total, 0);
  const failed = errorCount > 0 && !req.skipInvalid;
  const outcome = (batchId: number | null): ImportOutcome => ({
    summary: { batch_id: batchId, entities, ...total, seconds: 0, rows_per_second: 0 },
    errors: sinks.flatMap((s) => s.lines()),
    errorCount,
    failed,
    dryRun: req.dryRun,
    notes,
  });
  // the outcome is final from here: the rejects files go in place before the commit, so a failed
  // commit leaves them (the import can run again) rather than rows imported and their rejects lost;
  // a refused import or a dry run writes none (its temporary files are discarded: runImport), so a
  // rejects file always lists the rows an import left out, and one already there stays as it was
  // a batch is an import that writes: one that changed nothing leaves no batch and no audit row
  if (failed || req.dryRun || total.inserted + total.updated === 0) {
    if (!failed && !req.dryRun) for (const w of rejectsOf.values()) w.commit();
    await sequences.giveBack();
    throw new Rollback(outcome(null));
  }
  await batch.finish(total, entities, { source: req.source, dry_run: false });
  if (!(await statements.foreignKeysEnforced()) && (await statements.missingIds('import_batches', [batch.id])).length > 0) {
    throw new Error(`import: batch ${batch.id} is missing; its bookkeeping rows would point nowhere`);
  }
  for (const w of rejectsOf.values()) w.commit();
  return outcome(batch.id);
}

/** One file: one run, or with --skip-invalid and rows refused at the end, a second run without them. */
async function runPasses(
  ctx: ImportContext,
  job: FileJob,
  req: ImportRequest,
  rejects: RejectsWriter | undefined,
  notes: string[],
  progress: Progress,
): Promise<{ run: FileRun; sink: ErrorSink }> {
  const again = req.skipInvalid && job.entity.checksAtEnd === true;
  const point = again ? await savepoint(ctx.statements.db, 'import_file') : undefined;
  // the second run draws the ids the first drew, as on SQLite, where rolling back to the savepoint restores them
  const sequences = point ? await markSequences(ctx.statements.db) : undefined;
  const mark = ctx.batch.mark();
  let exclude = new Map<number, RowProblem[]>();
  for (let pass = 1; ; pass++) {
    const sink = new ErrorSink(job.label, req.maxErrors);
    const run = await runFile(ctx, job, {
      read: req.read,
      sink,
      exclude,
      rejects,
      readerThread: req.readerThread,
      bulk: req.bulk,
      ...progress,
    });
    if (run.readerThread) notes.push(`${job.label}: rows read and prepared in a reader thread (attempt ${pass})`);
    if (!point || run.deferred.length === 0) {
      await point?.release();
      return { run, sink };
    }
    exclude = await leftOut(exclude, run);
    notes.push(`${job.label}: ${exclude.size} row(s) refused by the checks at the end, or referring to one; read again without them`);
    await sequences?.giveBack();
    await point.rollback();
    ctx.batch.restore(mark);
    rejects?.restart();
  }
}

/**
 * The rows a run refused at the end, and those the importer finds would then be refused in turn (they
 * refer to a row left out), until none: what the next run leaves out. An importer that cannot tell
 * (no `refusedWithout`) is simply run again until a run refuses nothing more at the end.
 */
async function leftOut(before: ReadonlyMap<number, RowProblem[]>, run: FileRun): Promise<Map<number, RowProblem[]>> {
  const exclude = new Map(before);
  for (let found = run.deferred; found.length > 0; found = (await run.refusedWithout?.(exclude)) ?? []) {
    for (const d of found) exclude.set(d.line, d.problems);
  }
  return exclude;
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
