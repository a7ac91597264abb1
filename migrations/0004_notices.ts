// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<any>): Promise<void> {
  // tables are added by the issue that owns this migration
}
