/**
 * One file through one entity importer, inside the caller's transaction: header plan, then every row
 * cleaned, validated and applied (or rejected with its problems), then the checks that need all rows.
 */
import fs from 'node:fs';
import { foldKey } from '../lib/keys.js';
import { FORMATS } from './catalog.js';
import { zeroCounts, type Counts } from './batch.js';
import { readCells } from './cells.js';
import { readCsv } from './csv-reader.js';
import { ImportFileError, problemText, type ErrorSink, type RowProblem } from './errors.js';
import { planHeader, type HeaderOptions } from './header.js';
import type { RejectsWriter } from './rejects.js';
import type { Deferred, EntityDef, EntityImport, ImportContext, RowIn, RowLane, RowOutcome } from './entities/types.js';
import { laneAvailable, readLane } from './lane.js';

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
  /** Rows refused by an earlier attempt (--skip-invalid): rejected again without being applied. */
  exclude: ReadonlyMap<number, RowProblem[]>;
  rejects?: RejectsWriter;
  onBytes?: (bytes: number) => void;
  onRows?: (rows: number) => void;
}

export interface FileRun {
  counts: Counts;
  deferred: Deferred[];
  /** The rows were read and prepared in a reader thread (src/import/lane.ts). */
  threaded: boolean;
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
  const same = after && after.size === before.size && after.mtimeMs === before.mtimeMs && after.ino === before.ino && after.dev === before.dev;
  if (!same) {
    throw new ImportFileError(
      `${job.label}: the file changed while it was read (its size, modification time or identity differ at the end); nothing was imported`,
      'import it again once it is complete',
    );
  }
}

async function readAndApply(ctx: ImportContext, job: FileJob, o: FileRunOptions): Promise<FileRun> {
  const counts = zeroCounts();
  const specs = await job.entity.columns(ctx.statements);
  let fields: (string | undefined)[] | undefined;
  let imp: EntityImport | undefined;
  const reject = (line: number, cells: readonly string[], problems: RowProblem[]) => {
    counts.rejected++;
    o.sink.add(line, problems);
    o.rejects?.row(cells, problems.map(problemText).join('; '));
  };
  let rows = 0;
  const keys = FORMATS[job.entity.name].key;
  const rejectedKeys = new Map<string, number>();
  const keyOf = (text: Record<string, string | undefined>) => {
    const parts = keys.map((k) => (text[k] === undefined ? undefined : foldKey(text[k])));
    return parts.every((p) => p !== undefined) || job.entity.name === 'prices' ? parts.join('\u0001') : undefined;
  };
  /** One row: excluded, a duplicate of a rejected row's key, or applied; counted or rejected. */
  const settle = (line: number, cells: readonly string[], keyText: () => RowIn['text'], cellProblems: RowProblem[] | undefined, apply: () => RowOutcome | RowProblem[]) => {
    const excluded = o.exclude.get(line);
    if (excluded) return reject(line, cells, excluded);
    // rows applied are found again by key in the database; rejected ones are remembered here
    const firstLine = rejectedKeys.size === 0 || cellProblems ? undefined : rejectedKeys.get(keyOf(keyText()) ?? '');
    const dup = firstLine === undefined ? undefined : [{ column: keys[0]!, value: keyText()[keys[0]!] ?? '', rule: `duplicates line ${firstLine} (same ${keys.join(' + ')})` }];
    const out = cellProblems ?? dup ?? apply();
    if (typeof out === 'string') counts[out]++;
    else {
      const key = keyOf(keyText());
      if (key !== undefined && firstLine === undefined && !rejectedKeys.has(key)) rejectedKeys.set(key, line);
      reject(line, cells, out);
    }
  };
  const plainRow = (line: number, cells: readonly string[], nul = true) => {
    const text: RowIn['text'] = {};
    const cellProblems = o.exclude.has(line) ? undefined : readCells(cells, fields!, text, nul);
    settle(line, cells, () => text, cellProblems, () => imp!.row({ line, text }));
  };
  let lane: RowLane | undefined;
  for await (const records of readCsv(job.path, job.label, { ...o.read, onBytes: o.onBytes })) {
    let from = 0;
    if (!fields) {
      const plan = planHeader(job.label, records[0]!.cells, specs.map((s) => s.name), job.entity.required, o.read);
      fields = plan.fields;
      o.rejects?.header(records[0]!.cells);
      imp = await job.entity.open(ctx, specs, { bytes: fs.statSync(job.path).size });
      from = 1;
      rows = 1;
      lane = imp.lane && laneAvailable() ? imp.lane : undefined;
      if (lane) break; // the reader thread reads the file again, from its first row
    }
    for (let i = from; i < records.length; i++) plainRow(records[i]!.line, records[i]!.cells, records[i]!.nul);
    rows += records.length - from;
    o.onRows?.(rows);
  }
  if (lane) {
    const width = lane.width + 2;
    const input = { file: job.path, label: job.label, encoding: o.read.encoding, delimiter: o.read.delimiter, fields: fields!, preparer: lane.preparer, data: lane.data, width, withCells: o.rejects !== undefined };
    const noCells: string[] = [];
    for await (const batch of readLane(input)) {
      const b = batch.rows;
      for (let at = 0; at < b.length; at += width) {
        const line = b[at] as number;
        if (line < 0) plainRow(-line, b[at + 1] as string[]);
        else settle(line, (b[at + 1] as string[] | undefined) ?? noCells, () => lane.keyText(b, at + 2), undefined, () => lane.apply(line, b, at + 2));
      }
      rows += batch.count;
      o.onRows?.(rows);
      o.onBytes?.(batch.bytes);
    }
  }
  if (!imp) return { counts, deferred: [], threaded: false }; // cannot happen: readCsv refuses a file without a header
  const deferred = await imp.finish();
  for (const d of deferred) o.sink.add(d.line, d.problems);
  counts.rejected += new Set(deferred.map((d) => d.line)).size;
  return { counts, deferred, threaded: lane !== undefined };
}
