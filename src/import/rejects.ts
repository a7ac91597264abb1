/**
 * `--rejects FILE`: the rejected rows' values plus an `error` column, re-importable once fixed. Each
 * value is written as the import read it (trimmed, one protecting `'` removed) and then by the CSV
 * output rule (src/lib/formula.ts), so re-importing the file reads exactly the same values. Written
 * into a temporary file that replaces FILE only when the import's outcome is final (src/lib/output-file.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { PROTECTED, protectFormula } from '../lib/formula.js';
import { OutputFile } from '../lib/output-file.js';
import { cleanCell } from './cells.js';
import type { FileJob } from './engine.js';

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() || PROTECTED.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export class RejectsWriter {
  private file: OutputFile;
  private buf: string[] = [];
  private width = 0;

  constructor(readonly path: string) {
    this.file = OutputFile.open(path);
  }

  header(cells: readonly string[]): void {
    this.width = cells.length;
    this.push([...cells.map(protectFormula), 'error']);
  }

  /** The error goes under its header; cells past the header's width (a row too long) follow it, kept. */
  row(cells: readonly string[], error: string): void {
    const values = cells.slice(0, this.width).map((c) => protectFormula(cleanCell(c)));
    while (values.length < this.width) values.push('');
    values.push(protectFormula(error), ...cells.slice(this.width).map((c) => protectFormula(cleanCell(c))));
    this.push(values);
  }

  private push(cells: readonly string[]): void {
    this.buf.push(`${cells.map(quote).join(',')}\n`);
    if (this.buf.length >= 1000) this.flush();
  }

  private flush(): void {
    if (this.buf.length > 0) this.file.write(this.buf.join(''));
    this.buf = [];
  }

  /** Puts the file in place (call once the import's outcome is final). */
  commit(): void {
    this.flush();
    this.file.commit();
  }

  /** Starts again from nothing (a file run again after a rollback to a savepoint). */
  restart(): void {
    this.file.discard();
    this.file = OutputFile.open(this.path);
    this.buf = [];
    this.width = 0;
  }

  /** Removes the temporary file (nothing when committed). */
  discard(): void {
    this.file.discard();
  }
}

interface RejectsRequest {
  entity: string;
  /** a file, or a directory for 'all' */
  rejects?: string;
}

/** Where each job's rejected rows go (by the job's label): FILE, or DIR/ENTITY.csv for `import all`. */
export function rejectsPaths(req: RejectsRequest, jobs: readonly FileJob[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!req.rejects) return out;
  if (req.entity !== 'all') return out.set(jobs[0]!.label, req.rejects);
  for (const job of jobs) out.set(job.label, path.join(req.rejects, `${job.entity.name}.csv`));
  return out;
}

/** A writer per job, each into its own temporary file (an --rejects DIR is created when missing). */
export function openRejects(req: RejectsRequest, jobs: readonly FileJob[]): Map<string, RejectsWriter> {
  if (req.rejects && req.entity === 'all') {
    if (fs.existsSync(req.rejects) && !fs.statSync(req.rejects).isDirectory()) {
      throw new UsageError(`--rejects: ${req.rejects}: is not a directory (import all writes one ENTITY.csv per file into it)`);
    }
    fs.mkdirSync(req.rejects, { recursive: true });
  }
  const writers = new Map<string, RejectsWriter>();
  try {
    for (const [label, file] of rejectsPaths(req, jobs)) writers.set(label, new RejectsWriter(file));
  } catch (e) {
    for (const w of writers.values()) w.discard();
    throw e;
  }
  return writers;
}
