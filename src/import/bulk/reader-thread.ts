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
import type { ReaderData, ReaderInput, ReaderMessage } from './reader-worker.js';

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

/**
 * A reader thread started as soon as the file's header is known, before the importer has read what its
 * preparer needs from the database (a million contacts: every account): the thread loads its modules
 * meanwhile (≈ 0.2 s that the main thread no longer waits for). `rows` hands it the preparer's input;
 * `close` stops a thread that was never handed one (the importer chose another path, or failed).
 */
export class ReaderThread {
  private readonly worker: Worker;
  private readonly queue: (ReaderMessage | Error)[] = [];
  private wake: (() => void) | undefined;
  private handed = false;

  private constructor(
    private readonly file: ReaderThreadFile,
    readonly preparer: string,
  ) {
    this.worker = new Worker(WORKER, { workerData: { ...file, preparer } satisfies ReaderInput });
    const push = (m: ReaderMessage | Error) => {
      this.queue.push(m);
      this.wake?.();
    };
    this.worker.on('message', push);
    this.worker.on('error', push);
    this.worker.on('exit', (code) => push(new Error(`import: the reader thread stopped (exit code ${code})`)));
  }

  /** Starts the thread that will prepare the rows of `file` with the preparer module at `preparer`. */
  static start(file: ReaderThreadFile, preparer: string): ReaderThread {
    return new ReaderThread(file, preparer);
  }

  /** The file's rows as the thread prepares them; `row` takes the rows its preparer refused. */
  rows(prepared: PreparedRows, row: EntityImport['row']): RowSource {
    if (prepared.preparer !== this.preparer) throw new Error('import: the reader thread was started with another preparer');
    if (this.handed) throw new Error('import: the reader thread was handed its rows twice');
    this.handed = true;
    const width = prepared.width + 2;
    this.worker.postMessage({ type: 'data', data: prepared.data, width } satisfies ReaderData);
    const { fields } = this.file;
    const batches = () => this.batches();
    return {
      readerThread: true,
      async *batches() {
        for await (const m of batches()) yield new ThreadBatch(m.rows, m.count, m.bytes, width, fields, prepared, row);
      },
    };
  }

  /** Stops the thread (at once when it is still working: the caller stopped reading, or never began). */
  async close(): Promise<void> {
    this.worker.removeAllListeners();
    await this.worker.terminate();
  }

  /** The thread's batches of prepared rows, in file order; the thread stops when the caller stops reading. */
  private async *batches(): AsyncGenerator<Extract<ReaderMessage, { type: 'rows' }>> {
    try {
      for (;;) {
        while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
        const m = this.queue.shift()!;
        if (m instanceof Error) throw m;
        if (m.type === 'error') throw m.refused ? new ImportFileError(m.message, m.hint) : new Error(m.message);
        if (m.type === 'done') return;
        yield m;
        this.worker.postMessage('ack');
      }
    } finally {
      await this.close();
    }
  }
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
