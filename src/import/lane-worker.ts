/**
 * The reader thread of a large import (started by src/import/lane.ts): reads the file, cleans and
 * prepares every row with a pure preparer, and posts the rows in batches. It never touches the
 * database. A batch holds `width` slots a row: the line, the cells (when asked for, or when the row was
 * refused: the line is then negative and the main thread runs the row through the entity's `row`),
 * then the prepared row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CONTACT_FIELDS } from '../contacts/fields.js';
import type { FieldSpec } from '../lib/fields.js';
import { cleanCells } from './cells.js';
import { readCsv } from './csv-reader.js';
import { ImportFileError } from './errors.js';
import { packContact, prepareContactCells } from './entities/contacts-rows.js';
import type { LaneData, LanePreparer } from './entities/types.js';
import { RefIndex } from './ref-index.js';

export interface LaneInput {
  file: string;
  label: string;
  encoding?: string;
  delimiter?: string;
  /** The header's columns → field names (undefined: an ignored column). */
  fields: (string | undefined)[];
  preparer: LanePreparer;
  data: LaneData;
  width: number;
  /** Send every row's cells (a rejects file needs them). */
  withCells: boolean;
}

export type LaneMessage =
  | { type: 'rows'; rows: unknown[]; count: number; bytes: number }
  | { type: 'done'; bytes: number }
  /** `refused`: the file was refused (an ImportFileError: bad UTF-8, a quote never closed); else a bug */
  | { type: 'error'; refused: boolean; message: string; hint?: string };

/** Rows a batch; batches ahead of the main thread, at most (memory stays flat). */
export const BATCH_ROWS = 1000;
export const AHEAD = 2;

/** Prepares one row's cleaned cells (in `fields` order) into `out`; false: refused (let `row` say why). */
type Prepare = (line: number, cells: readonly (string | undefined)[], out: unknown[]) => boolean;

/**
 * The preparers a reader thread can run, by name: the fields their cells come in, and the row function.
 * Contacts is the one large table so far; seats and logins would be the next.
 */
const PREPARERS: Record<LanePreparer, (data: LaneData) => { fields: readonly FieldSpec[]; prepare: Prepare }> = {
  contacts(data) {
    const accounts = new RefIndex(data.accountIds.length);
    for (let i = 0; i < data.accountIds.length; i++) accounts.add(data.accountKeys[i]!, data.accountIds[i]!);
    const find = (t: string) => accounts.find(t);
    return {
      fields: CONTACT_FIELDS,
      prepare(line, cells, out) {
        const p = prepareContactCells(line, cells, data.dateFormat, find);
        if (Array.isArray(p)) return false;
        packContact(p, out);
        return true;
      },
    };
  },
};

async function run(input: LaneInput, port: NonNullable<typeof parentPort>): Promise<void> {
  const { fields, prepare } = PREPARERS[input.preparer](input.data);
  let acked = 0;
  let sent = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    acked++;
    wake?.();
  });
  let bytes = 0;
  let rows: unknown[] = [];
  let count = 0;
  const flush = async () => {
    port.postMessage({ type: 'rows', rows, count, bytes } satisfies LaneMessage);
    sent++;
    rows = [];
    count = 0;
    while (sent - acked >= AHEAD) await new Promise<void>((r) => (wake = r));
    wake = undefined;
  };
  let header = true;
  const { width, withCells } = input;
  // where each column's cell goes among the preparer's fields
  const slots = input.fields.map((f) => {
    if (f === undefined) return undefined;
    const at = fields.findIndex((s) => s.name === f);
    if (at === -1) throw new Error(`import: the ${input.preparer} reader has no field ${f}`);
    return at;
  });
  for await (const records of readCsv(input.file, input.label, { encoding: input.encoding, delimiter: input.delimiter, onBytes: (b) => (bytes = b) })) {
    for (const rec of records) {
      if (header) {
        header = false;
        continue;
      }
      const start = rows.length;
      rows.push(rec.line, withCells ? rec.cells : undefined);
      const cleaned = cleanCells(rec.cells, slots, fields.length, rec.nul);
      if (!cleaned || !prepare(rec.line, cleaned, rows)) {
        rows.length = start;
        rows.push(-rec.line, rec.cells);
      }
      while (rows.length < start + width) rows.push(undefined);
      if (++count === BATCH_ROWS) await flush();
    }
  }
  if (count > 0) await flush();
  port.postMessage({ type: 'done', bytes } satisfies LaneMessage);
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LaneInput, port).catch((e: unknown) => {
    const refused = e instanceof ImportFileError;
    port.postMessage({ type: 'error', refused, message: refused ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e), hint: refused ? e.hint : undefined } satisfies LaneMessage);
  });
}
