import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { ManagerRow } from '../db/schema/managers.js';
import { InvalidDataError, NotFoundError } from '../errors.js';
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

/**
 * getManager for a value given as a field or option (`manager_login`, `by`): a login that is no manager's
 * is exit 1 naming it, in the words of an import row (`by: "nobody": no manager with this login`).
 */
export async function getManagerFor(db: Kysely<DB>, field: string, login: string): Promise<ManagerRow> {
  const row = await findManager(db, login);
  if (!row)
    throw new InvalidDataError([{ field, value: login, rule: 'no manager with this login' }], 'list managers with: acctmgr managers list');
  return row;
}
