/**
 * `export ENTITY`: exactly the import format, streamed row by row (a million contacts never sit in
 * memory). CSV: a header line, LF, no BOM, quotes only where RFC 4180 needs them, formula-looking values
 * given one more leading `'` (and quoted: src/lib/formula.ts). JSON: typed values, never altered.
 */
import { loadFieldDefs, type LoadedDef } from '../accounts/custom-fields.js';
import { customValueOut } from '../accounts/rules.js';
import type { DbHandle } from '../db/connection.js';
import { streamRows, type Streamable } from '../db/rows.js';
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

/** A stored value → the contract's form (booleans, money strings, lists). */
function typed(spec: FieldSpec | undefined, def: LoadedDef | undefined, v: unknown): unknown {
  if (spec?.type === 'limit') return limitOut(v as number | null);
  if (v === null || v === undefined) return null;
  if (def) return customValueOut(def.type, v as string);
  switch (spec?.type) {
    case 'bool':
      return v === 1 || v === true;
    case 'money':
      return formatCents(v as number);
    case 'list':
      return splitList(v as string);
    default:
      return v;
  }
}

/** Writes the export through `write` in chunks; returns the number of rows. */
export async function exportEntity(h: DbHandle, entity: EntityName, format: ExportFormat, write: (chunk: string) => void): Promise<number> {
  const db = h.db;
  const defs = entity === 'accounts' ? await loadFieldDefs(db) : [];
  const specs = FORMATS[entity].specs;
  const columns = [...specs.map((s) => s.name), ...defs.map((d) => d.name)];
  const specOf = new Map(specs.map((s) => [s.name, s]));
  const defOf = new Map(defs.map((d) => [d.name, d]));
  const out = format === 'csv' ? new CsvStream(write, columns) : new JsonArrayStream(write);
  const query = exportQuery(db, entity, defs) as unknown as Streamable<Record<string, unknown>>;
  for await (const row of streamRows(h, query)) {
    if (entity === 'seats')
      row.last_login_at = laterTimestamp(row.last_login_at as string | null, (row.last_event_at as string | null) ?? null);
    if (entity === 'requests') row.id = requestKey(row.number as number);
    if (entity === 'trainings') {
      const dates = rowDates(row as { first_date: string | null; second_date: string | null }).join(';');
      Object.assign(row, { id: trainingKey(row.number as number), dates, price: row.price_cents });
    }
    if (entity === 'invoices') {
      row.lines = invoiceLines(row.lines_json as string, format);
      row.training_id = row.training_number === null ? null : trainingKey(Number(row.training_number));
    }
    if (entity === 'activities') {
      row.id = activityKey(row.number as number);
      row.follow_up_of = row.follow_up_number === null ? null : activityKey(row.follow_up_number as number);
    }
    const values = columns.map((c) => typed(specOf.get(c), defOf.get(c), row[c]));
    if (out instanceof CsvStream) out.add(values);
    else out.add(jsonRecord(columns, values, defs, entity === 'accounts'));
  }
  return out.end();
}

/** JSON as `show` prints it: custom fields under `fields`. */
function jsonRecord(
  columns: readonly string[],
  values: readonly unknown[],
  defs: readonly LoadedDef[],
  withFields: boolean,
): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  const custom = new Set(defs.map((d) => d.name));
  columns.forEach((c, i) => {
    if (custom.has(c)) fields[c] = values[i];
    else rec[c] = values[i];
  });
  if (withFields) rec.fields = fields;
  return rec;
}
