import { sql, type Kysely } from 'kysely';
import type { AccountRow } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { NotFoundError } from '../errors.js';

/** Accounts are addressed by external_id, case-insensitively (the index is on lower(external_id)). */
export async function findAccount(db: Kysely<DB>, externalId: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(external_id)`, '=', externalId.trim().toLowerCase())
    .executeTakeFirst();
}

export async function getAccount(db: Kysely<DB>, externalId: string): Promise<AccountRow> {
  const row = await findAccount(db, externalId);
  if (!row) throw new NotFoundError('account', externalId, 'list accounts with: acctmgr accounts list --search TEXT');
  return row;
}
