/**
 * `db repair-keys --rename ENTITY OLD NEW`: renames one stored key so that the keys fold apart and keep
 * the key rules — on a database that migration 0005 refused (it reads and writes only the columns as
 * written) or on a migrated one (then the stored folded column follows). Audited; the caller owns the
 * transaction.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import { ConflictError, InvalidDataError, NotFoundError, RefusedError, UsageError } from '../errors.js';
import { coerce } from '../lib/fields.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { KEY_COLUMNS, type KeyColumn } from '../db/schema/key-columns.js';

const RENAMEABLE = [...new Set(KEY_COLUMNS.map((k) => k.entity))];

export interface RenameInput {
  entity: string;
  old: string;
  new: string;
  /** a contact's account (external id) */
  account?: string;
}

export interface RenameResult {
  entity: string;
  field: string;
  id: number;
  account: string | null;
  before: string;
  after: string;
}

interface Found {
  id: number;
  v: string;
  s?: number;
}

export async function renameKey(db: Kysely<any>, op: Op, input: RenameInput, migrated: boolean): Promise<RenameResult> {
  const k = columnFor(input.entity, input.old);
  const account = k.scope && input.account !== undefined ? await findRow(db, accountsColumn(), input.account) : undefined;
  if (k.scope && !account && !/^#\d+$/.test(input.old))
    throw new UsageError(`renaming ${k.entity} needs --account EXTERNAL_ID (or OLD as #ID)`);
  const row = await findRow(db, k, input.old, account?.id);
  const next = checkedValue(k, input.new);
  await assertFree(db, k, next, row, migrated);
  const set: Record<string, unknown> = { [k.source]: next };
  if (migrated && k.key) set[k.key] = foldKey(next);
  if (k.table !== 'account_groups') set.updated_at = op.now; // groups have no updated_at
  await db.updateTable(k.table).set(set).where('id', '=', row.id).execute();
  const accountKey = k.scope
    ? ((await db.selectFrom('accounts').select('external_id').where('id', '=', row.s!).executeTakeFirstOrThrow()).external_id as string)
    : null;
  const result = { entity: k.entity, field: k.source, id: row.id, account: accountKey, before: row.v, after: next };
  const key = accountKey === null ? next : `${accountKey}/${next}`;
  await audit(db, op, { action: 'repair-key', entity: k.audit, key, before: { [k.source]: row.v }, after: { [k.source]: next } });
  return result;
}

/** The entity's key column; managers have two: the email when OLD has an "@", else the login. */
function columnFor(entity: string, old: string): KeyColumn {
  const columns = KEY_COLUMNS.filter((k) => k.entity === entity);
  if (columns.length === 0) throw new UsageError(`unknown entity "${entity}": one of ${RENAMEABLE.join(', ')}`);
  return columns.find((k) => (k.type === 'email') === old.includes('@')) ?? columns[0]!;
}

function accountsColumn(): KeyColumn {
  return KEY_COLUMNS.find((k) => k.table === 'accounts')!;
}

/**
 * The record OLD names: the key exactly as stored, else `#ID` as the listing shows it, else the one
 * record whose key folds to OLD's fold (in the account, for contacts).
 */
async function findRow(db: Kysely<any>, k: KeyColumn, old: string, scope?: number): Promise<Found> {
  const base = () => {
    const q = db.selectFrom(k.table).select(['id', `${k.source} as v`, ...(k.scope ? [`${k.scope} as s`] : [])]);
    return scope === undefined ? q : q.where(k.scope!, '=', scope);
  };
  const exact = (await base().where(k.source, '=', old).execute()) as Found[];
  if (exact.length === 1) return exact[0]!;
  const byId = /^#(\d+)$/.exec(old);
  if (byId) {
    const row = (await base().where('id', '=', Number(byId[1])).executeTakeFirst()) as Found | undefined;
    if (row) return row;
  }
  const folded = foldKey(old.trim());
  const matches: Found[] = [];
  for await (const r of base().stream()) if (foldKey(String(r.v)) === folded) matches.push(r as Found);
  if (matches.length === 1) return matches[0]!;
  const singular = k.audit;
  if (matches.length === 0) throw new NotFoundError(singular, old, 'acctmgr db repair-keys lists the keys to repair, with their #ID');
  const list = matches.map((m) => `#${m.id} ${JSON.stringify(m.v)}`).join(', ');
  throw new RefusedError(`"${old}" names several ${k.entity}: ${list}`, 'give OLD exactly as stored, or as #ID');
}

function checkedValue(k: KeyColumn, raw: string): string {
  const r = coerce({ name: k.source, type: k.type }, raw);
  if (!r.ok) throw new InvalidDataError([{ field: k.source, value: raw, rule: r.rule }]);
  if (r.value === null) throw new InvalidDataError([{ field: k.source, value: raw, rule: 'is required' }]);
  return r.value as string;
}

/** NEW must not fold to another record's key (in the same account, for contacts). */
async function assertFree(db: Kysely<any>, k: KeyColumn, next: string, row: Found, migrated: boolean): Promise<void> {
  const folded = foldKey(next);
  let q = db
    .selectFrom(k.table)
    .select(['id', `${k.source} as v`])
    .where('id', '!=', row.id);
  if (k.scope) q = q.where(k.scope, '=', row.s);
  let other: Found | undefined;
  if (migrated && k.key) other = await q.where(k.key, '=', folded).executeTakeFirst();
  else {
    for await (const r of q.stream()) {
      if (foldKey(String(r.v)) !== folded) continue;
      other = r;
      break;
    }
  }
  if (other) throw new ConflictError(`${k.source} "${next}" is the same key as ${k.audit} #${other.id} ${JSON.stringify(other.v)}`);
}
