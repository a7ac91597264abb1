/**
 * A large file read in a second thread (src/import/bulk/reader-worker.ts), which cleans and prepares
 * every row (src/import/bulk/prepared.ts) while this thread checks what needs the database and the rows
 * before (keys, primary contacts) and writes. Batches are acknowledged, so the reader is never more than
 * a few batches ahead: memory stays flat.
 *
 * The reader is the built JavaScript beside this file; when it is not there (the TypeScript sources run
 * under the test runner) or the request asks for one thread (ACCTMGR_IMPORT_THREADS=1), the file is read on this thread as usual.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readCells } from '../cells.js';
import type { EntityImport, RowIn, RowResult } from '../entities/types.js';
import { ImportFileError, type RowProblem } from '../errors.js';
import type { RowBatch, RowSource } from '../rows.js';
import type { PreparedRows } from './prepared.js';
import type { ReaderInput, ReaderMessage } from './reader-worker.js';

const WORKER = new URL('./reader-worker.js', import.meta.url);

/** Whether a reader thread can be started here. */
export function readerThreadAvailable(): boolean {
  return fs.existsSync(fileURLToPath(WORKER));
}

export interface ReaderThreadFile {
  file: string;
  label: string;
  encoding?: string;
  delimiter?: string;
  /** The header's columns → field names (undefined: an ignored column). */
  fields: (string | undefined)[];
  /** Send every row's cells (a rejects file needs them). */
  withCells: boolean;
}

/** The rows of `file` as the reader thread prepares them; `row` takes the rows its preparer refused. */
export function readerThreadRows(file: ReaderThreadFile, prepared: PreparedRows, row: EntityImport['row']): RowSource {
  const width = prepared.width + 2;
  const input: ReaderInput = { ...file, preparer: prepared.preparer, data: prepared.data, width };
  return {
    readerThread: true,
    async *batches() {
      for await (const m of readBatches(input)) yield new ThreadBatch(m.rows, m.count, m.bytes, width, file.fields, prepared, row);
    },
  };
}

const NO_CELLS: readonly string[] = [];

/**
 * One batch of the reader thread: `width` slots a row (line, cells, prepared row). A negative line is a
 * row the preparer refused: it is cleaned here and goes through the importer's `row`.
 */
class ThreadBatch implements RowBatch {
  private at = 0;
  /** The current row's cleaned cells when it was refused by the preparer. */
  private text: RowIn['text'] | undefined;

  constructor(
    private readonly b: readonly unknown[],
    readonly count: number,
    readonly bytes: number,
    private readonly width: number,
    private readonly fields: readonly (string | undefined)[],
    private readonly prepared: PreparedRows,
    private readonly row: EntityImport['row'],
  ) {}

  line(i: number): number {
    return Math.abs(this.b[i * this.width] as number);
  }

  cells(i: number): readonly string[] {
    return (this.b[i * this.width + 1] as string[] | undefined) ?? NO_CELLS;
  }

  clean(i: number): RowProblem[] | undefined {
    const at = (this.at = i * this.width);
    if ((this.b[at] as number) > 0) {
      this.text = undefined;
      return undefined;
    }
    this.text = {};
    return readCells(this.b[at + 1] as string[], this.fields, this.text);
  }

  keyText(): RowIn['text'] {
    return this.text ?? this.prepared.keyText(this.b, this.at + 2);
  }

  apply(): RowResult | Promise<RowResult> {
    const line = this.b[this.at] as number;
    return this.text ? this.row({ line: -line, text: this.text }) : this.prepared.apply(line, this.b, this.at + 2);
  }
}

/** The thread's batches of prepared rows, in file order; the thread stops when the caller stops reading. */
async function* readBatches(input: ReaderInput): AsyncGenerator<Extract<ReaderMessage, { type: 'rows' }>> {
  const worker = new Worker(WORKER, { workerData: input });
  const queue: (ReaderMessage | Error)[] = [];
  let wake: (() => void) | undefined;
  const push = (m: ReaderMessage | Error) => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', push);
  worker.on('exit', (code) => push(new Error(`import: the reader thread stopped (exit code ${code})`)));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if (m instanceof Error) throw m;
      if (m.type === 'error') throw m.refused ? new ImportFileError(m.message, m.hint) : new Error(m.message);
      if (m.type === 'done') return;
      yield m;
      worker.postMessage('ack');
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
