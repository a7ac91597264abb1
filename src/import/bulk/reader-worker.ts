/**
 * The reader thread of a large import (started by src/import/bulk/reader-thread.ts): reads the file,
 * cleans every row and prepares it with the importer's preparer (src/import/bulk/prepared.ts), and posts
 * the rows in batches. It never touches the database. A batch holds `width` slots a row: the line, the
 * cells (when asked for, or when the row was refused: the line is then negative and the main thread runs
 * the row through the importer's `row`), then the prepared row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cleanCells } from '../cells.js';
import { readCsv } from '../csv-reader.js';
import { ImportFileError } from '../errors.js';
import type { PreparerModule } from './prepared.js';

export interface ReaderInput {
  file: string;
  label: string;
  encoding?: string;
  delimiter?: string;
  /** The header's columns → field names (undefined: an ignored column). */
  fields: (string | undefined)[];
  /** URL of the preparer module. */
  preparer: string;
  /** Send every row's cells (a rejects file needs them). */
  withCells: boolean;
}

/**
 * The preparer's input, posted once the importer has it (the thread starts before: src/import/bulk/
 * reader-thread.ts); every later message from the main thread acknowledges a batch.
 */
export interface ReaderData {
  type: 'data';
  data: unknown;
  /** Slots a row takes in a batch: line, cells, then the prepared row. */
  width: number;
}

export type ReaderMessage =
  | { type: 'rows'; rows: unknown[]; count: number; bytes: number }
  | { type: 'done'; bytes: number }
  /** `refused`: the file was refused (an ImportFileError: bad UTF-8, a quote never closed); else a bug */
  | { type: 'error'; refused: boolean; message: string; hint?: string };

/**
 * Rows a batch; batches ahead of the main thread, at most (memory stays flat: 16 batches of contacts are
 * a few MB). Both threads take about as long over a batch, so a short queue leaves one of them waiting
 * at every hiccup of the other: with 2 a million contacts took ≈ 25 % longer (interleaved runs, 2026-12-03).
 */
export const BATCH_ROWS = 1000;
export const AHEAD = 16;

async function run(input: ReaderInput, port: NonNullable<typeof parentPort>): Promise<void> {
  let given: ReaderData | undefined;
  let acked = 0;
  let sent = 0;
  let wake: (() => void) | undefined;
  port.on('message', (m: ReaderData | 'ack') => {
    if (m === 'ack') acked++;
    else given = m;
    wake?.();
  });
  const preparer = (await import(input.preparer)) as PreparerModule;
  while (!given) await new Promise<void>((r) => (wake = r));
  wake = undefined;
  const { width } = given;
  const { fields, prepare } = preparer.readerPreparer(given.data);
  let bytes = 0;
  let rows: unknown[] = [];
  let count = 0;
  const flush = async () => {
    port.postMessage({ type: 'rows', rows, count, bytes } satisfies ReaderMessage);
    sent++;
    rows = [];
    count = 0;
    while (sent - acked >= AHEAD) await new Promise<void>((r) => (wake = r));
    wake = undefined;
  };
  let header = true;
  const { withCells } = input;
  // where each column's cell goes among the preparer's fields
  const slots = input.fields.map((f) => {
    if (f === undefined) return undefined;
    const at = fields.findIndex((s) => s.name === f);
    if (at === -1) throw new Error(`import: the reader thread's preparer has no field ${f}`);
    return at;
  });
  for await (const records of readCsv(input.file, input.label, {
    encoding: input.encoding,
    delimiter: input.delimiter,
    onBytes: (b) => (bytes = b),
  })) {
    for (const rec of records) {
      if (header) {
        header = false;
        continue;
      }
      // slots written one by one, never by a push of several values (a slow path of V8)
      const start = rows.length;
      rows[start] = rec.line;
      rows[start + 1] = withCells ? rec.cells : undefined;
      const cleaned = cleanCells(rec.cells, slots, fields.length, rec.nul);
      if (!cleaned || !prepare(rec.line, cleaned, rows)) {
        rows.length = start;
        rows[start] = -rec.line;
        rows[start + 1] = rec.cells;
      }
      for (let at = rows.length; at < start + width; at++) rows[at] = undefined;
      if (++count === BATCH_ROWS) await flush();
    }
  }
  if (count > 0) await flush();
  port.postMessage({ type: 'done', bytes } satisfies ReaderMessage);
}

if (parentPort) {
  const port = parentPort;
  run(workerData as ReaderInput, port).catch((e: unknown) => {
    const refused = e instanceof ImportFileError;
    port.postMessage({
      type: 'error',
      refused,
      message: refused ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e),
      hint: refused ? e.hint : undefined,
    } satisfies ReaderMessage);
  });
}
