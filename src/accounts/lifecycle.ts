/**
 * Changing an account's group and status, each audited in the caller's transaction. (Assigning a
 * manager and removing an account reach other domains: src/composites/accounts.ts.)
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { ensureGroup } from './groups.js';
import { getAccount } from './lookup.js';
import { accountRecordById, type AccountRecord } from './record.js';

/** Puts the account in group G (created when new); an empty name takes it out of its group. */
export async function moveAccount(db: Kysely<DB>, op: Op, externalId: string, group: string): Promise<AccountRecord> {
  const row = await getAccount(db, externalId);
  const target = group.trim() === '' ? null : await ensureGroup(db, op, group);
  const before = await accountRecordById(db, row.id);
  if (row.group_id === (target?.id ?? null)) return before;
  await db
    .updateTable('accounts')
    .set({ group_id: target?.id ?? null, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  const after = await accountRecordById(db, row.id);
  await audit(db, op, { action: 'move', entity: 'account', key: after.external_id, before, after });
  return after;
}

/** Sets the status; setting the status it already has changes (and audits) nothing. */
export async function setAccountStatus(
  db: Kysely<DB>,
  op: Op,
  externalId: string,
  status: 'active' | 'deactivated',
): Promise<{ account: AccountRecord; changed: boolean }> {
  const row = await getAccount(db, externalId);
  const before = await accountRecordById(db, row.id);
  if (row.status === status) return { account: before, changed: false };
  await db.updateTable('accounts').set({ status, updated_at: op.now }).where('id', '=', row.id).execute();
  const after = await accountRecordById(db, row.id);
  const action = status === 'active' ? 'activate' : 'deactivate';
  await audit(db, op, { action, entity: 'account', key: after.external_id, before, after });
  return { account: after, changed: true };
}
