/**
 * Import errors. A refused file (no header, bad encoding, unknown columns …) is one ImportFileError;
 * row problems are collected by an ErrorSink and reported as `FILE:LINE: field: "value": rule`.
 */
import { AppError, EXIT, formatProblem, type FieldProblem } from '../errors.js';

/** The whole file is refused before (or while) reading rows: exit 1, nothing written. */
export class ImportFileError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'invalid_data', EXIT.failed, hint);
  }
}

/** Every row problem of an import that refused to write (all-or-nothing): already printed as lines. */
export class ImportRejectedError extends AppError {
  constructor(message: string, hint?: string) {
    super(message, 'invalid_data', EXIT.failed, hint);
  }
}

/** A row's problem: the one problem shape (src/errors.ts), field = the column, value = the cell as written; field '' for the whole row (its number of fields). */
export type RowProblem = FieldProblem;

export function formatRowProblem(file: string, line: number, p: RowProblem): string {
  return `${file}:${line}: ${formatProblem(p)}`;
}

/** A problem as the rejects file's `error` column says it: without file, line and value. */
export function problemText(p: RowProblem): string {
  return p.field === '' ? p.rule : `${p.field}: ${p.rule}`;
}

/**
 * Collects row problems: the first `max` lines are kept for printing, all are counted, and the lines of
 * rejected rows keep their first message (for `--rejects`).
 */
export class ErrorSink {
  readonly shown: string[] = [];
  total = 0;
  /** physical start line → the row's problems, joined (only for the file being imported). */
  readonly rejected = new Map<number, string>();

  constructor(
    readonly file: string,
    private readonly max: number,
  ) {}

  add(line: number, problems: readonly RowProblem[]): void {
    for (const p of problems) {
      this.total++;
      if (this.shown.length < this.max) this.shown.push(formatRowProblem(this.file, line, p));
    }
    const text = problems.map(problemText).join('; ');
    const prev = this.rejected.get(line);
    this.rejected.set(line, prev ? `${prev}; ${text}` : text);
  }

  /** The lines to print: the first `max`, then how many more there were. */
  lines(): string[] {
    const more = this.total - this.shown.length;
    return more > 0 ? [...this.shown, `… and ${more} more error${more > 1 ? 's' : ''} (--max-errors to see more)`] : this.shown;
  }
}
