/**
 * One file through one entity importer, inside the caller's transaction: header plan, then every row
 * cleaned, validated and applied (or rejected with its problems), then the checks that need all rows.
 */
import fs from 'node:fs';
import { FORMATS } from './catalog.js';
import { zeroCounts, type Counts } from './batch.js';
import { cleanCell } from './cells.js';
import { readCsv } from './csv-reader.js';
import type { ErrorSink, RowProblem } from './errors.js';
import { planHeader, type HeaderOptions } from './header.js';
import type { RejectsWriter } from './rejects.js';
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
  /** Rows refused by an earlier attempt (--skip-invalid): rejected again without being applied. */
  exclude: ReadonlyMap<number, RowProblem[]>;
  rejects?: RejectsWriter;
  onBytes?: (bytes: number) => void;
  onRows?: (rows: number) => void;
}

export interface FileRun {
  counts: Counts;
  deferred: Deferred[];
}

export async function runFile(ctx: ImportContext, job: FileJob, o: FileRunOptions): Promise<FileRun> {
  const counts = zeroCounts();
  const specs = await job.entity.columns(ctx.sql);
  let fields: (string | undefined)[] | undefined;
  let imp: EntityImport | undefined;
  const reject = (line: number, cells: readonly string[], problems: RowProblem[]) => {
    counts.rejected++;
    o.sink.add(line, problems);
    o.rejects?.row(cells, problems.map((p) => `${p.column}: ${p.rule}`).join('; '));
  };
  let rows = 0;
  const keys = FORMATS[job.entity.name].key;
  const rejectedKeys = new Map<string, number>();
  const keyOf = (text: Record<string, string | undefined>) => {
    const parts = keys.map((k) => text[k]?.toLowerCase());
    return parts.every((p) => p !== undefined) || job.entity.name === 'prices' ? parts.join('\u0001') : undefined;
  };
  for await (const records of readCsv(job.path, job.label, { ...o.read, onBytes: o.onBytes })) {
    for (const rec of records) {
      if (!fields) {
        const plan = planHeader(job.label, rec.cells, specs.map((s) => s.name), job.entity.required, o.read);
        fields = plan.fields;
        o.rejects?.header(rec.cells);
        imp = await job.entity.open(ctx, specs, { bytes: fs.statSync(job.path).size });
        continue;
      }
      const excluded = o.exclude.get(rec.line);
      if (excluded) {
        reject(rec.line, rec.cells, excluded);
        continue;
      }
      const text: Record<string, string | undefined> = {};
      const cellProblems = readCells(rec.cells, fields, text);
      // rows applied are found again by key in the database; rejected ones are remembered here
      const firstLine = rejectedKeys.size === 0 || cellProblems ? undefined : rejectedKeys.get(keyOf(text) ?? '');
      const dup = firstLine === undefined ? undefined : [{ column: keys[0]!, value: text[keys[0]!] ?? '', rule: `duplicates line ${firstLine} (same ${keys.join(' + ')})` }];
      const out = cellProblems ?? dup ?? imp!.row({ line: rec.line, text });
      if (typeof out === 'string') counts[out]++;
      else {
        const key = keyOf(text);
        if (key !== undefined && firstLine === undefined && !rejectedKeys.has(key)) rejectedKeys.set(key, rec.line);
        reject(rec.line, rec.cells, out);
      }
    }
    rows += records.length;
    o.onRows?.(rows);
  }
  if (!imp) return { counts, deferred: [] }; // cannot happen: readCsv refuses a file without a header
  const deferred = await imp.finish();
  for (const d of deferred) o.sink.add(d.line, d.problems);
  counts.rejected += new Set(deferred.map((d) => d.line)).size;
  return { counts, deferred };
}

/** Cleans the mapped cells into `text`; problems for cells beyond the header and NUL characters. */
function readCells(cells: readonly string[], fields: readonly (string | undefined)[], text: Record<string, string | undefined>): RowProblem[] | undefined {
  let problems: RowProblem[] | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f === undefined) continue;
    const c = cleanCell(cells[i] ?? '');
    if (c.includes('\0')) (problems ??= []).push({ column: f, value: c, rule: 'contains a NUL character (is this a UTF-16 or binary file? see --encoding)' });
    text[f] = c === '' ? undefined : c;
  }
  for (let i = fields.length; i < cells.length; i++) {
    if (cells[i]!.trim() !== '') {
      (problems ??= []).push({ column: `(cell ${i + 1})`, value: cells[i]!, rule: `is beyond the last column (the header has ${fields.length} columns)` });
      break;
    }
  }
  return problems;
}
