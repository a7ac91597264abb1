/** `acctmgr db repair-keys`: the listing, or one rename and what is left. */
import { REPAIR_HINT, scanKeys } from '../db/key-scan.js';
import { migrationStatus } from '../db/migrator.js';
import { UsageError } from '../errors.js';
import { renameKey } from '../keys/repair.js';
import type { Session } from './session.js';

const COLUMNS = ['entity', 'id', 'account', 'field', 'key', 'problem'];

export async function runRepairKeys(s: Session): Promise<void> {
  // the database may be one that the key migration refused: never migrate here
  const h = await s.open({ migrate: false });
  const migrated = (await migrationStatus(h.db)).some((m) => m.name === '0005_keys' && m.applied);
  const rename = s.opts.rename as string[] | undefined;
  if (rename === undefined) {
    const problems = await scanKeys(h.db);
    await s.list(problems, COLUMNS);
    if (problems.length > 0) s.message(`${problems.length} key problem(s); ${REPAIR_HINT}`);
    else if (!s.opts.json) s.message(clean(migrated, h.engine));
    return;
  }
  if (rename.length !== 3) throw new UsageError(`--rename takes ENTITY OLD NEW (got ${rename.length} value(s))`);
  const [entity, old, next] = rename as [string, string, string];
  const account = s.opts.account as string | undefined;
  const r = await s.tx((db) => renameKey(db, s.op(), { entity, old, new: next, account }, migrated));
  s.message(
    `renamed ${r.entity} #${r.id}${r.account === null ? '' : ` of account ${r.account}`}: ${r.field} ${JSON.stringify(r.before)} → ${JSON.stringify(r.after)}`,
  );
  await s.changed(r.account === null ? r.after : `${r.account}/${r.after}`, r);
  const left = await scanKeys(h.db);
  s.message(left.length > 0 ? `${left.length} key problem(s) left (acctmgr db repair-keys lists them)` : clean(migrated, h.engine));
}

/** On PostgreSQL only `db migrate` migrates (every other command refuses the older schema). */
function clean(migrated: boolean, engine: 'sqlite' | 'postgres'): string {
  if (migrated) return 'no key problems';
  return engine === 'postgres'
    ? 'no key problems left: upgrade with acctmgr db migrate (on PostgreSQL only it migrates)'
    : 'no key problems left: the upgrade applies on the next command (or now: acctmgr db migrate)';
}
