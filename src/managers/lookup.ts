import type { Kysely } from 'kysely';
import type { DB } from '../db/schema/index.js';
import type { ManagerRow } from '../db/schema/managers.js';
import { NotFoundError } from '../errors.js';

export async function findManager(db: Kysely<DB>, login: string): Promise<ManagerRow | undefined> {
  return db.selectFrom('managers').selectAll().where('login', '=', login.trim().toLowerCase()).executeTakeFirst();
}

export async function getManager(db: Kysely<DB>, login: string): Promise<ManagerRow> {
  const row = await findManager(db, login);
  if (!row) throw new NotFoundError('manager', login, 'list managers with: acctmgr managers list');
  return row;
}
