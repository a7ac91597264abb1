/**
 * A list written as its records come, byte for byte what renderList prints for the whole list: JSON as
 * `JSON.stringify(list, null, 2)`, CSV and the piped table's tab-separated lines, each rendered a
 * batch at a time (the header once). Every record must have the same keys: the header and the columns of
 * every line are the first batch's. A table on a terminal is laid out from every row's width, so it is
 * rendered once, at the end.
 *
 * Written in pieces of about 64 KB: a larger string would go to V8's large-object space, where each one
 * stays until a full collection — a list of 90 MB written in large pieces kept tens of MB of them. For the
 * same reason a batch is sized to render into about half a piece, from the length of the records
 * rendered before it (remind's JSON, ≈ 570 bytes a notice: ≈ 57 records). A fixed 256 records made each
 * batch of that JSON a string of ≈ 146 KB, and the flat copy that encoding it to UTF-8 takes another,
 * each a large object the kernel maps and unmaps: `remind --json` of 160,074 notices took ≈ 0.9 s
 * longer (4.5 against 3.6 s, half of it system time).
 */
import { lines } from './lines.js';
import { listLine, renderList, type Format, type ListOptions, type Rec } from './render.js';

const PIECE = 64 * 1024;
/** JSON, CSV and tab-separated lines are rendered at most this many records at a time (see above) */
const BATCH = 256;
/** the first batch, before any record's length is known */
const FIRST_BATCH = 16;

export class ListStream {
  private parts: string[] = [];
  private size = 0;
  private batch: Rec[] = [];
  private batchSize = FIRST_BATCH;
  /** a table for a terminal: every record until the end */
  private readonly all: Rec[] | undefined;
  /** CSV and tab-separated lines: a record's line, once the first batch is written */
  private line: ((r: Rec) => string) | undefined;
  /** the JSON list's `[`, or the CSV or tab-separated header line, is written */
  private headed = false;
  rows = 0;

  constructor(
    private readonly write: (chunk: string) => void,
    private readonly format: Format,
    private readonly opts: ListOptions,
  ) {
    if (format === 'table' && opts.terminal) this.all = [];
  }

  add(record: object): void {
    const r = record as Rec;
    if (this.all) this.all.push(r);
    else {
      this.batch.push(r);
      if (this.batch.length >= this.batchSize) this.renderBatch();
    }
    this.rows++;
  }

  /** Writes what is left (an empty list as renderList prints it); the number of records. */
  end(): number {
    if (this.all) this.write(renderList(this.all, this.format, this.opts));
    else if (this.rows === 0) this.write(renderList([], this.format, this.opts));
    else {
      this.renderBatch();
      if (this.format === 'json') this.push('\n]\n');
      this.flush();
    }
    return this.rows;
  }

  private renderBatch(): void {
    if (this.batch.length === 0) return;
    let text: string;
    if (this.format === 'json') {
      // the elements as JSON.stringify(list, null, 2) writes them (indented one level): the batch's list
      // less its `[\n` and `\n]`, after the `[\n` of the list or the `,\n` after the batch before
      text = `${this.headed ? ',\n' : '[\n'}${JSON.stringify(this.batch, null, 2).slice(2, -2)}`;
    } else if (this.line) {
      text = lines(this.batch, this.line);
    } else {
      // the first batch as renderList writes it (the header line), then every later one by the line
      // function of the first one's columns (src/output/lines.ts), which all records share
      text = renderList(this.batch, this.format, this.opts);
      this.line = listLine(this.batch, this.format, this.opts);
    }
    this.batchSize = Math.max(1, Math.min(BATCH, Math.floor((PIECE / 2) * (this.batch.length / text.length))));
    this.push(text);
    this.headed = true;
    this.batch = [];
  }

  private push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= PIECE) this.flush();
  }

  private flush(): void {
    if (this.parts.length > 0) this.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
