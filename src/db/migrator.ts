import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Kysely's migrateToLatest reports failures instead of throwing; this one throws. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const pending = (await migrationStatus(db)).filter((m) => !m.applied);
  if (pending.length === 0) return [];
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
