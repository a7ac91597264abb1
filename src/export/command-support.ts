/** The export command's body: entity check, target (file via a temporary name, or stdout), format. */
import fs from 'node:fs';
import type { Session } from '../commands/session.js';
import { UsageError } from '../errors.js';
import { ENTITIES, type EntityName } from '../import/catalog.js';
import { exportEntity, type ExportFormat } from './service.js';

export async function runExport(s: Session, entity: EntityName): Promise<void> {
  if (!(ENTITIES as readonly string[]).includes(entity)) {
    throw new UsageError(`unknown entity "${entity}": one of ${ENTITIES.join(', ')}`);
  }
  const format: ExportFormat = (s.opts.format as ExportFormat | undefined) ?? (s.opts.json ? 'json' : 'csv');
  const out = s.opts.out as string | undefined;
  const h = await s.open();
  if (!out) {
    const n = await exportEntity(h.db, h.sqlite, entity, format, (chunk) => s.io.out(chunk));
    s.message(`exported ${n} ${entity}`);
    return;
  }
  // written beside the target and renamed, so a failed export never leaves half a file
  const tmp = `${out}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const n = await exportEntity(h.db, h.sqlite, entity, format, (chunk) => void fs.writeSync(fd, chunk));
    fs.closeSync(fd);
    fs.renameSync(tmp, out);
    s.message(`exported ${n} ${entity} to ${out}`);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
