import type { Kysely } from '#kysely';
import type { AccountRow } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { NotFoundError } from '../errors.js';
import { foldKey } from '../lib/keys.js';

/** Accounts are addressed by external_id as a key (the unique index is on its fold, external_id_key). */
export async function findAccount(db: Kysely<DB>, externalId: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('external_id_key', '=', foldKey(externalId.trim())).executeTakeFirst();
}

export async function getAccount(db: Kysely<DB>, externalId: string): Promise<AccountRow> {
  const row = await findAccount(db, externalId);
  if (!row) throw new NotFoundError('account', externalId, 'list accounts with: acctmgr accounts list --search TEXT');
  return row;
}
