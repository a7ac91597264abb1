/**
 * One file through one entity importer, inside the caller's transaction: header plan, then every row
 * cleaned, validated and applied (or rejected with its problems), then the checks that need all rows.
 */
import fs from 'node:fs';
import type { Counts } from './batch.js';
import { FORMATS } from '../formats/catalog.js';
import { readCsv } from './csv-reader.js';
import { ImportFileError, type ErrorSink, type RowProblem } from './errors.js';
import { planHeader, type HeaderOptions } from './header.js';
import type { RejectsWriter } from './rejects.js';
import { RowLoop } from './row-loop.js';
import { chooseRows, startReaderThread } from './rows.js';
import type { ReaderThread } from './bulk/reader-thread.js';
import type { Deferred, EntityDef, EntityImport, ImportContext } from './entities/types.js';

export interface FileJob {
  entity: EntityDef;
  path: string;
  /** the path as typed, for error lines */
  label: string;
}

export interface ReadOptions extends HeaderOptions {
  encoding?: string;
  delimiter?: string;
}

export interface FileRunOptions {
  read: ReadOptions;
  sink: ErrorSink;
  /** Rows refused by the file's first pass (--skip-invalid), by line: rejected again without being applied. */
  exclude: ReadonlyMap<number, RowProblem[]>;
  rejects?: RejectsWriter;
  onBytes?: (bytes: number) => void;
  onRows?: (rows: number) => void;
  /** false: never in a reader thread (ImportRequest.readerThread) */
  readerThread?: boolean;
  /** false: never a bulk load (ImportRequest.bulk) */
  bulk?: boolean;
}

export interface FileRun {
  counts: Counts;
  /** Rows refused by the checks that need every row (after they were applied). */
  deferred: Deferred[];
  /** The rows were read and prepared in a reader thread (src/import/bulk/). */
  readerThread: boolean;
  refusedWithout: EntityImport['refusedWithout'];
}

export async function runFile(ctx: ImportContext, job: FileJob, o: FileRunOptions): Promise<FileRun> {
  const before = fs.statSync(job.path);
  const run = await readAndApply(ctx, job, o);
  refuseIfChanged(job, before);
  return run;
}

/**
 * A file written to while it was read (a spreadsheet still saving it, a transfer in progress) may have
 * been read half old, half new: refused (the caller's transaction rolls back), never imported.
 */
function refuseIfChanged(job: FileJob, before: fs.Stats): void {
  const after = fs.statSync(job.path, { throwIfNoEntry: false });
  const same =
    after && after.size === before.size && after.mtimeMs === before.mtimeMs && after.ino === before.ino && after.dev === before.dev;
  if (!same) {
    throw new ImportFileError(
      `${job.label}: the file changed while it was read (its size, modification time or identity differ at the end); nothing was imported`,
      'import it again once it is complete',
    );
  }
}

async function readAndApply(ctx: ImportContext, job: FileJob, o: FileRunOptions): Promise<FileRun> {
  const specs = await job.entity.columns(ctx.statements);
  const reader = readCsv(job.path, job.label, { ...o.read, onBytes: o.onBytes })[Symbol.asyncIterator]();
  let thread: ReaderThread | undefined;
  try {
    const first = await reader.next();
    if (first.done) throw new Error(`${job.label}: no header`); // cannot happen: readCsv refuses a file without one
    const header = first.value[0]!.cells;
    const { fields } = planHeader(
      job.label,
      header,
      specs.map((s) => s.name),
      job.entity.required,
      o.read,
    );
    o.rejects?.header(header);
    const withCells = o.rejects !== undefined;
    const file = { file: job.path, label: job.label, read: o.read, fields, withCells, readerThread: o.readerThread };
    const bytes = fs.statSync(job.path).size;
    // started now, the reader thread loads while the importer reads what it needs from the database
    thread = startReaderThread(job.entity, file, bytes);
    const imp = await job.entity.open(ctx, specs, { bytes, bulk: o.bulk !== false });
    const source = await chooseRows(imp, { ...file, first: first.value.slice(1), rest: reader, thread });
    const { key } = FORMATS[job.entity.name];
    const loop = new RowLoop({
      key,
      emptyKeyParts: key.some((k) => !job.entity.required.includes(k)),
      exclude: o.exclude,
      sink: o.sink,
      rejects: o.rejects,
    });
    let rows = 1;
    for await (const batch of source.batches()) {
      await loop.batch(batch);
      rows += batch.count;
      o.onRows?.(rows);
      if (batch.bytes !== undefined) o.onBytes?.(batch.bytes);
    }
    const deferred = await imp.finish();
    for (const d of deferred) o.sink.add(d.line, d.problems);
    const lines = new Map(deferred.map((d) => [d.line, d.outcome]));
    for (const outcome of lines.values()) if (outcome !== undefined) loop.counts[outcome]--;
    loop.counts.rejected += lines.size;
    return { counts: loop.counts, deferred, readerThread: source.readerThread, refusedWithout: imp.refusedWithout?.bind(imp) };
  } finally {
    await reader.return?.(undefined);
    await thread?.close();
  }
}
