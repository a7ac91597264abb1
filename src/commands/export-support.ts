/** The export command's body: entity check, target (a file via a temporary one, or stdout), format. */
import { UsageError } from '../errors.js';
import { exportEntity, type ExportFormat } from '../export/service.js';
import { ENTITIES, type EntityName } from '../formats/catalog.js';
import { refuseDatabaseOutput, writeOutput } from '../lib/output-file.js';
import type { Session } from './session.js';

export async function runExport(s: Session, entity: EntityName): Promise<void> {
  if (!(ENTITIES as readonly string[]).includes(entity)) {
    throw new UsageError(`unknown entity "${entity}": one of ${ENTITIES.join(', ')}`);
  }
  const format: ExportFormat = (s.opts.format as ExportFormat | undefined) ?? (s.opts.json ? 'json' : 'csv');
  const out = s.opts.out as string | undefined;
  const run = async (write: (chunk: string) => void) => {
    const h = await s.open();
    return exportEntity(h, entity, format, write);
  };
  if (out === undefined) {
    const n = await run((chunk) => s.io.out(chunk));
    s.message(`exported ${n} ${entity}`);
    return;
  }
  // the target is checked (the database itself, a directory, a symlink …: exit 2) before the database is opened
  refuseDatabaseOutput([out], s.target().target);
  const n = await writeOutput(out, run);
  s.message(`exported ${n} ${entity} to ${out}`);
}
