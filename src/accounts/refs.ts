/**
 * Resolving what an account refers to (manager, parent, group) and the checks that need the stored
 * accounts: unique external ids and parent cycles.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { ConflictError, InvalidDataError, invalid } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import { getManager } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { ensureGroup } from './groups.js';
import { findAccount, getAccount } from './lookup.js';
import { PARENT_CYCLE, parentCycle, selfParentProblem } from './rules.js';

export async function assertExternalIdFree(db: Kysely<DB>, externalId: string, exceptId?: number): Promise<void> {
  const other = await findAccount(db, externalId);
  if (other && other.id !== exceptId) {
    throw new ConflictError(`external_id "${externalId}" is already used by account "${other.name}"`);
  }
}

/** `ACC-` + 8 random hex digits, retried on the (unlikely) clash with a stored one. */
export async function generateExternalId(db: Kysely<DB>): Promise<string> {
  for (;;) {
    const id = `ACC-${randomBytes(4).toString('hex').toUpperCase()}`;
    if (!(await findAccount(db, id))) return id;
  }
}

export interface RefIds {
  group_id?: number | null;
  parent_id?: number | null;
  manager_id?: number | null;
}

/**
 * The ids for the reference fields present in `values` (null clears). Unknown managers and parents
 * are not found (exit 1); an unknown group is created. `selfId` is the account being edited, for the
 * cycle check.
 */
export async function resolveRefs(
  db: Kysely<DB>,
  op: Op,
  values: Record<string, unknown>,
  self: { id?: number; external_id: string },
): Promise<RefIds> {
  const ids: RefIds = {};
  if ('manager_login' in values) {
    ids.manager_id = values.manager_login === null ? null : (await getManager(db, values.manager_login as string)).id;
  }
  if ('parent_external_id' in values) {
    const key = values.parent_external_id as string | null;
    if (key === null) ids.parent_id = null;
    else {
      const own = selfParentProblem(foldKey(self.external_id), key);
      if (own) throw new InvalidDataError([own]);
      const parent = await getAccount(db, key);
      if (self.id !== undefined) await assertNoCycle(db, self.id, parent.id);
      ids.parent_id = parent.id;
    }
  }
  if ('group' in values) {
    ids.group_id = values.group === null ? null : (await ensureGroup(db, op, values.group as string)).id;
  }
  return ids;
}

/** Refuses a parent that is the account itself or one of its descendants (one query for the links). */
async function assertNoCycle(db: Kysely<DB>, accountId: number, parentId: number): Promise<void> {
  const links = await db.selectFrom('accounts').select(['id', 'parent_id']).where('parent_id', 'is not', null).execute();
  const parentOf = new Map<number, number | null>(links.map((l) => [l.id, l.parent_id]));
  parentOf.set(accountId, parentId);
  const loop = parentCycle(parentOf, accountId);
  if (!loop) return;
  const names = await db.selectFrom('accounts').select(['id', 'external_id']).where('id', 'in', loop).execute();
  const byId = new Map(names.map((n) => [n.id, n.external_id]));
  const path = loop.map((id) => byId.get(id) ?? `#${id}`);
  throw invalid('parent_external_id', path[1], `${PARENT_CYCLE}: ${path.join(' → ')}`);
}

/** Accounts whose parent is this one, for show and for remove's refusal. */
export async function subAccounts(db: Kysely<DB>, accountId: number) {
  return db
    .selectFrom('accounts')
    .select(['external_id', 'name', 'type', 'status'])
    .where('parent_id', '=', accountId)
    .orderBy('external_id_key')
    .execute();
}
