/**
 * `export ENTITY`: exactly the import format, streamed row by row (a million contacts never sit in
 * memory). CSV: a header line, LF, no BOM, quotes only where RFC 4180 needs them, formula-looking values
 * given one more leading `'` (and quoted: src/lib/formula.ts). JSON: typed values, never altered.
 */
import { loadFieldDefs, type LoadedDef } from '../accounts/custom-fields.js';
import { customValueOut } from '../accounts/rules.js';
import type { DbHandle } from '../db/connection.js';
import { sqliteArrays, streamRows, type Streamable } from '../db/rows.js';
import { FORMATS, type EntityName } from '../formats/catalog.js';
import { formatCents, limitOut, splitList, type FieldSpec } from '../lib/fields.js';
import { CsvStream, JsonArrayStream } from '../output/stream.js';
import { activityKey } from '../activities/rules.js';
import { requestKey } from '../requests/rules.js';
import { rowDates } from '../trainings/record.js';
import { trainingKey } from '../trainings/rules.js';
import { lineOut, type StoredLine } from '../invoices/rules.js';
import { laterTimestamp } from '../seats/rules.js';
import { exportQuery } from './queries.js';

/** An invoice's lines as the import reads them: in CSV a JSON array (text), in JSON the array. */
function invoiceLines(json: string, format: ExportFormat): unknown {
  const lines = (JSON.parse(json) as StoredLine[]).map(lineOut);
  return format === 'csv' ? JSON.stringify(lines) : lines;
}

export type ExportFormat = 'csv' | 'json';

/** A column's stored value → the contract's form (booleans, money strings, lists); chosen once a column. */
function typed(spec: FieldSpec | undefined, def: LoadedDef | undefined): (v: unknown) => unknown {
  if (spec?.type === 'limit') return (v) => limitOut(v as number | null);
  if (def) return (v) => (v === null || v === undefined ? null : customValueOut(def.type, v as string));
  switch (spec?.type) {
    case 'bool':
      return (v) => (v === null || v === undefined ? null : v === 1 || v === true);
    case 'money':
      return (v) => (v === null || v === undefined ? null : formatCents(v as number));
    case 'list':
      return (v) => (v === null || v === undefined ? null : splitList(v as string));
    default:
      return (v) => (v === undefined ? null : v);
  }
}

type ExportRow = Record<string, unknown>;

/** Columns of the export format that are made from others of the row (derived keys, dates, lines). */
const DERIVED: Partial<Record<EntityName, (row: ExportRow, format: ExportFormat) => void>> = {
  seats: (row) => {
    row.last_login_at = laterTimestamp(row.last_login_at as string | null, (row.last_event_at as string | null) ?? null);
  },
  requests: (row) => {
    row.id = requestKey(row.number as number);
  },
  trainings: (row) => {
    const dates = rowDates(row as { first_date: string | null; second_date: string | null }).join(';');
    Object.assign(row, { id: trainingKey(row.number as number), dates, price: row.price_cents });
  },
  invoices: (row, format) => {
    row.lines = invoiceLines(row.lines_json as string, format);
    row.training_id = row.training_number === null ? null : trainingKey(Number(row.training_number));
  },
  activities: (row) => {
    row.id = activityKey(row.number as number);
    row.follow_up_of = row.follow_up_number === null ? null : activityKey(row.follow_up_number as number);
  },
};

/** Writes the export through `write` in chunks; returns the number of rows. */
export async function exportEntity(h: DbHandle, entity: EntityName, format: ExportFormat, write: (chunk: string) => void): Promise<number> {
  const db = h.db;
  const defs = entity === 'accounts' ? await loadFieldDefs(db) : [];
  const specs = FORMATS[entity].specs;
  const columns = [...specs.map((s) => s.name), ...defs.map((d) => d.name)];
  const specOf = new Map(specs.map((s) => [s.name, s]));
  const defOf = new Map(defs.map((d) => [d.name, d]));
  // one converter a column, not two map lookups a cell (a million contacts are eight million cells)
  const convert = columns.map((c) => typed(specOf.get(c), defOf.get(c)));
  const width = columns.length;
  const custom = new Set(defs.map((d) => d.name));
  const csv = format === 'csv' ? new CsvStream(write, columns) : undefined;
  const json = csv ? undefined : new JsonArrayStream(write);
  const add = (cell: (i: number) => unknown): void => {
    const values = new Array<unknown>(width);
    for (let i = 0; i < width; i++) values[i] = convert[i]!(cell(i));
    if (csv) csv.add(values);
    else json!.add(jsonRecord(columns, values, custom, entity === 'accounts'));
  };
  const query = exportQuery(db, entity, defs) as unknown as Streamable<ExportRow>;
  const derive = DERIVED[entity];
  // the columns as they are stored: on SQLite each row an array (an object a row cost a million
  // contacts ≈ 1 s more), each column of the format at its place among the query's (the last of a
  // name, as in an object)
  const arrays = derive ? undefined : sqliteArrays(h, query);
  if (arrays) {
    const at = columns.map((c) => arrays.names.lastIndexOf(c));
    for (const row of arrays.rows) add((i) => (at[i]! < 0 ? undefined : row[at[i]!]));
  } else {
    for await (const row of streamRows(h, query)) {
      derive?.(row, format);
      add((i) => row[columns[i]!]);
    }
  }
  return (csv ?? json)!.end();
}

/** JSON as `show` prints it: custom fields under `fields`. */
function jsonRecord(
  columns: readonly string[],
  values: readonly unknown[],
  custom: ReadonlySet<string>,
  withFields: boolean,
): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    if (custom.has(c)) fields[c] = values[i];
    else rec[c] = values[i];
  });
  if (withFields) rec.fields = fields;
  return rec;
}
