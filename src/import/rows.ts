/**
 * Where a file's rows come from, chosen once per file when its header is known: this thread's CSV
 * reader, or a reader thread that prepares them (src/import/bulk/), when the importer offers a preparer
 * (a large file: src/import/bulk/prepared.ts). Either way the row loop (src/import/row-loop.ts) sees
 * the same batches.
 */
import { readCells } from './cells.js';
import type { CsvRecord } from './csv-reader.js';
import type { ReadOptions } from './engine.js';
import type { EntityDef, EntityImport, RowIn, RowResult } from './entities/types.js';
import type { RowProblem } from './errors.js';
import { BULK_MIN_BYTES } from './bulk/bulk-table.js';
import { ReaderThread, readerThreadAvailable, type ReaderThreadFile } from './bulk/reader-thread.js';

/**
 * Rows in file order, one batch at a time. `clean(i)` makes row i the current one; `keyText` and
 * `apply` act on the current row.
 */
export interface RowBatch {
  readonly count: number;
  /** Bytes of the file read once this batch was complete, when the source counts them itself. */
  readonly bytes?: number;
  /** The physical line row i starts on. */
  line(i: number): number;
  /** Row i's cells as read (for the rejects file). */
  cells(i: number): readonly string[];
  /** Makes row i current; the problems of its cells (their number, a NUL character), or undefined. */
  clean(i: number): RowProblem[] | undefined;
  /** The current row's cleaned cells by field name (its key, when a rejected row's key is looked for). */
  keyText(): RowIn['text'];
  /** Validates and applies the current row (a Promise on a database that answers later). */
  apply(): RowResult | Promise<RowResult>;
}

export interface RowSource {
  batches(): AsyncIterable<RowBatch>;
  /** The rows are read and prepared in a reader thread. */
  readonly readerThread: boolean;
}

export interface FileRows {
  file: string;
  label: string;
  read: ReadOptions;
  /** The header's columns → field names (undefined: an ignored column). */
  fields: (string | undefined)[];
  withCells: boolean;
  /** false: never in a reader thread (the command line's ACCTMGR_IMPORT_THREADS=1) */
  readerThread?: boolean;
}

export interface ReadRows extends FileRows {
  /** The records read with the header (after it), and the reader positioned after them. */
  first: CsvRecord[];
  rest: AsyncIterator<CsvRecord[]>;
  /** The reader thread started before the importer opened (`startReaderThread`). */
  thread?: ReaderThread;
}

/**
 * A reader thread for a large file of an entity that prepares its rows in one, started before the
 * importer opens (which reads what the preparer needs from the database); the caller closes it when
 * the rows do not go to it after all.
 */
export function startReaderThread(entity: EntityDef, f: FileRows, bytes: number): ReaderThread | undefined {
  if (!entity.readerPreparer || bytes < BULK_MIN_BYTES || f.readerThread === false || !readerThreadAvailable()) return undefined;
  return ReaderThread.start(threadFile(f), entity.readerPreparer);
}

/** The file's rows: prepared in a reader thread when the importer offers a preparer and one can start, else read here. */
export async function chooseRows(imp: EntityImport, f: ReadRows): Promise<RowSource> {
  if (imp.prepared && f.readerThread !== false && readerThreadAvailable()) {
    // the reader thread reads the file again from its first row: this thread's reader stops here
    await f.rest.return?.();
    const thread = f.thread?.preparer === imp.prepared.preparer ? f.thread : ReaderThread.start(threadFile(f), imp.prepared.preparer);
    return thread.rows(imp.prepared, (r) => imp.row(r));
  }
  return {
    readerThread: false,
    async *batches() {
      yield new RecordBatch(f.first, f.fields, imp);
      for (let next = await f.rest.next(); !next.done; next = await f.rest.next()) yield new RecordBatch(next.value, f.fields, imp);
    },
  };
}

function threadFile(f: FileRows): ReaderThreadFile {
  return { file: f.file, label: f.label, encoding: f.read.encoding, delimiter: f.read.delimiter, fields: f.fields, withCells: f.withCells };
}

/** Records of this thread's CSV reader: each row cleaned into text by field name and run through the importer's `row`. */
class RecordBatch implements RowBatch {
  readonly count: number;
  private at = 0;
  private text: RowIn['text'] = {};

  constructor(
    private readonly records: readonly CsvRecord[],
    private readonly fields: readonly (string | undefined)[],
    private readonly imp: EntityImport,
  ) {
    this.count = records.length;
  }

  line(i: number): number {
    return this.records[i]!.line;
  }

  cells(i: number): readonly string[] {
    return this.records[i]!.cells;
  }

  clean(i: number): RowProblem[] | undefined {
    const r = this.records[i]!;
    this.at = i;
    this.text = {};
    return readCells(r.cells, this.fields, this.text, r.nul);
  }

  keyText(): RowIn['text'] {
    return this.text;
  }

  apply(): RowResult | Promise<RowResult> {
    return this.imp.row({ line: this.records[this.at]!.line, text: this.text });
  }
}
