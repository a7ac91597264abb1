/** Turning import flags into a request, and an outcome into stderr lines and the --json summary. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors.js';
import type { EntityName } from '../formats/catalog.js';
import { parseDateFormat } from '../import/cells.js';
import type { OnExisting } from '../import/entities/types.js';
import { ImportRejectedError } from '../import/errors.js';
import type { ImportOutcome, ImportRequest } from '../import/service.js';
import type { Io } from '../io.js';
import type { Session } from './session.js';

const DELIMITERS: Record<string, string> = { ',': ',', ';': ';', tab: '\t', '\t': '\t', '\\t': '\t' };

export function buildRequest(opts: Record<string, unknown>, entity: EntityName | 'all', source: string): ImportRequest {
  const delimiter = opts.delimiter as string | undefined;
  if (delimiter !== undefined && !(delimiter in DELIMITERS)) {
    throw new UsageError(`--delimiter: "${delimiter}" is not one of "," ";" tab`);
  }
  if (entity === 'all' && source === '-') throw new UsageError('import all reads a directory; standard input (-) takes one ENTITY file');
  const maxErrors = (opts.maxErrors as number | undefined) ?? 50;
  if (maxErrors < 0) throw new UsageError('--max-errors: must be 0 or more');
  return {
    entity,
    source,
    read: {
      delimiter: delimiter === undefined ? undefined : DELIMITERS[delimiter],
      encoding: opts.encoding as string | undefined,
      map: (opts.map as Record<string, string> | undefined) ?? {},
      ignoreUnknown: Boolean(opts.ignoreUnknown),
    },
    dateFormat: parseDateFormat(opts.dateFormat as string | undefined),
    onExisting: ((opts.onExisting as string | undefined) ?? 'update') as OnExisting,
    skipInvalid: Boolean(opts.skipInvalid),
    dryRun: Boolean(opts.dryRun),
    maxErrors,
    rejects: opts.rejects as string | undefined,
  };
}

/**
 * Standard input (`-`) or a pipe (`<(…)`, a named FIFO), copied into a private temporary file (0600, in
 * a 0700 directory): the import then reads a regular file, whose size it knows, twice when a reader
 * thread takes it. Undefined for any other source (read where it is).
 */
export async function spoolInput(io: Io, source: string): Promise<{ file: string; remove(): void } | undefined> {
  const st = source === '-' ? undefined : fs.statSync(source, { throwIfNoEntry: false });
  if (source !== '-' && !(st?.isFIFO() || st?.isCharacterDevice())) return undefined;
  const input = source === '-' ? io.stdin : fs.createReadStream(source);
  if (!input) throw new UsageError('-: there is no standard input to read');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-input-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  const file = path.join(dir, 'input.csv');
  try {
    await pipeline(input, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (e) {
    remove();
    throw e;
  }
  return { file, remove };
}

/** Bytes to read: the file, or the ENTITY.csv files of a directory. */
export function inputSize(source: string): number {
  try {
    const st = fs.statSync(source);
    if (!st.isDirectory()) return st.size;
    return fs
      .readdirSync(source)
      .filter((f) => f.endsWith('.csv'))
      .reduce((n, f) => n + fs.statSync(path.join(source, f)).size, 0);
  } catch {
    return 0;
  }
}

/** Errors and the summary on stderr, the JSON summary on stdout; an all-or-nothing refusal exits 1. */
export async function renderOutcome(s: Session, o: ImportOutcome): Promise<void> {
  if (s.opts.debug) for (const note of o.notes) s.io.err(`debug: ${note}\n`);
  for (const line of o.errors) s.io.err(`${line}\n`);
  const t = o.summary;
  const per = Object.entries(t.entities)
    .map(([e, c]) => `${e}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`)
    .join('\n');
  if (s.opts.json) await s.json(t);
  if (o.failed) {
    s.message(per);
    throw new ImportRejectedError(
      `nothing was imported: ${o.errorCount} error${o.errorCount === 1 ? '' : 's'} in ${t.rejected} row${t.rejected === 1 ? '' : 's'}`,
      'fix the rows and import again, or import the valid rows with --skip-invalid --rejects FILE',
    );
  }
  s.message(per);
  const head = o.dryRun ? 'dry run, nothing written' : `batch ${t.batch_id}`;
  s.message(
    `${head}: ${t.inserted} inserted, ${t.updated} updated, ${t.unchanged} unchanged, ${t.rejected} rejected in ${t.seconds.toFixed(2)} s (${t.rows_per_second} rows/s)`,
  );
}
