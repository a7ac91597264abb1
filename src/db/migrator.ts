import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { assertKeysFold } from '../keys/scan.js';

/** What must hold before a pending migration runs; each throws (nothing applied) when it does not. */
const PRECHECKS: Record<string, (db: Kysely<any>) => Promise<void>> = { '0005_keys': assertKeysFold };

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Kysely's migrateToLatest reports failures instead of throwing; this one throws. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const pending = (await migrationStatus(db)).filter((m) => !m.applied);
  if (pending.length === 0) return [];
  for (const m of pending) await PRECHECKS[m.name]?.(db);
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    err.message = `migration ${failed?.migrationName ?? '?'} failed: ${err.message}`;
    throw err;
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationState {
  name: string;
  applied: boolean;
  applied_at: string | null;
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationState[]> {
  const infos = await migrator(db).getMigrations();
  return infos.map((m) => ({
    name: m.name,
    applied: m.executedAt !== undefined,
    applied_at: m.executedAt ? m.executedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
  }));
}
