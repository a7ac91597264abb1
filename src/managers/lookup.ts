import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { ManagerRow } from '../db/schema/managers.js';
import { NotFoundError } from '../errors.js';
import { foldKey } from '../lib/keys.js';

/** Logins are stored lower-case ASCII, their own fold. */
export async function findManager(db: Kysely<DB>, login: string): Promise<ManagerRow | undefined> {
  return db.selectFrom('managers').selectAll().where('login', '=', foldKey(login.trim())).executeTakeFirst();
}

export async function getManager(db: Kysely<DB>, login: string): Promise<ManagerRow> {
  const row = await findManager(db, login);
  if (!row) throw new NotFoundError('manager', login, 'list managers with: acctmgr managers list');
  return row;
}
