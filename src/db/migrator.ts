import { Migrator, type Kysely, type MigrationResultSet } from '#kysely';
import { migrations } from '../../migrations/index.js';
import { RefusedError } from '../errors.js';

/** kysely's own bookkeeping table: one row per applied migration. */
const MIGRATION_TABLE = 'kysely_migration';
import { assertKeysFold } from './key-scan.js';

/** What must hold before a pending migration runs; each throws (nothing applied) when it does not. */
const PRECHECKS: Record<string, (db: Kysely<any>) => Promise<void>> = { '0005_keys': assertKeysFold };

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export interface MigrateOptions {
  /** Apply the pending migrations (default true); false only checks. */
  apply?: boolean;
  /** A database migrated by a newer acctmgr is left as it is instead of refused. */
  allowNewer?: boolean;
  /**
   * Runs the migration holding the database's write lock (SQLite: kysely takes no migration lock there),
   * so that two processes creating one new database at once migrate it once: the status is read again
   * inside the lock, and the second finds nothing pending.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Kysely's migrateToLatest reports failures instead of throwing; this one throws. A database that a
 * newer acctmgr migrated (an applied migration this build does not list) is refused before anything
 * is applied: this build does not know its schema.
 */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<string[]> {
  const status = await migrationStatus(db);
  const newer = status.filter((m) => !m.known).map((m) => m.name);
  if (newer.length > 0) {
    if (options.allowNewer) return [];
    throw new RefusedError(`this database was migrated by a newer acctmgr (migration ${newer.join(', ')}); upgrade acctmgr`);
  }
  const pending = status.filter((m) => !m.applied);
  if (pending.length === 0 || options.apply === false) return [];
  if (options.exclusive) return options.exclusive(() => migrateToLatest(db, { ...options, exclusive: undefined }));
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
  /** false: applied by a newer acctmgr, not listed in this build */
  known: boolean;
}

/** Every migration this build lists, and every one applied to the database, by name. */
export async function migrationStatus(db: Kysely<any>): Promise<MigrationState[]> {
  const applied = new Map((await appliedMigrations(db)).map((m) => [m.name, m.timestamp]));
  const names = [...new Set([...Object.keys(migrations), ...applied.keys()])].sort();
  return names.map((name) => {
    const at = applied.get(name);
    return {
      name,
      applied: at !== undefined,
      applied_at: at === undefined ? null : new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      known: Object.hasOwn(migrations, name),
    };
  });
}

async function appliedMigrations(db: Kysely<any>): Promise<{ name: string; timestamp: string }[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  return db.selectFrom(MIGRATION_TABLE).select(['name', 'timestamp']).execute();
}
