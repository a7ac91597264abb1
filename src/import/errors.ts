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
 * rejected rows keep their first message (for `--rejects`). Problems come in line order, except those of
 * the checks at the end of the file (renewals, parents, a row's own line earlier than one already seen):
 * those are merged in, so the lines printed are the file's first `max` problems in line order.
 */
export class ErrorSink {
  /** the first `max` problems that came in line order */
  private readonly shown: { line: number; text: string }[] = [];
  /** problems of an earlier line than one already added (at most `max` kept once sorted) */
  private late: { line: number; text: string }[] = [];
  private lastLine = 0;
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
      if (line >= this.lastLine) {
        this.lastLine = line;
        if (this.shown.length < this.max) this.shown.push({ line, text: formatRowProblem(this.file, line, p) });
      } else {
        this.late.push({ line, text: formatRowProblem(this.file, line, p) });
        if (this.late.length > 2 * this.max + 16) this.late = this.firstInLineOrder(this.late);
      }
    }
    const text = problems.map(problemText).join('; ');
    const prev = this.rejected.get(line);
    this.rejected.set(line, prev ? `${prev}; ${text}` : text);
  }

  /** The first `max` of `list` by line (a stable sort: a line's problems keep their order). */
  private firstInLineOrder(list: { line: number; text: string }[]): { line: number; text: string }[] {
    return list.sort((a, b) => a.line - b.line).slice(0, this.max);
  }

  /** The lines to print: the first `max`, then how many more there were. */
  lines(): string[] {
    const shown = (this.late.length === 0 ? this.shown : this.firstInLineOrder([...this.shown, ...this.late])).map((e) => e.text);
    const more = this.total - shown.length;
    return more > 0 ? [...shown, `… and ${more} more error${more > 1 ? 's' : ''} (--max-errors to see more)`] : shown;
  }
}
