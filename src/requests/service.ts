/**
 * Requests raised for the contacts of an account, by the contact or, when the setting manager-requests
 * is on, by a manager associated with the account on the contact's behalf. Plain functions over Kysely;
 * the caller owns the transaction. Every change is audited.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import type { AccountRow } from '../db/schema/accounts.js';
import { keyOf, managedBy } from '../db/refs.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { nextNumber } from '../db/numbers.js';
import { liveContactId } from '../contacts/lookup.js';
import { RefusedError } from '../errors.js';
import { checkFields, checkFilter, refuseCleared, requirePresent } from '../lib/checks.js';
import { withDefaults } from '../lib/fields.js';
import { resolveRecipient } from '../managers/leave.js';
import { getManager, getManagerFor } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { getSetting } from '../settings/service.js';
import { REQUEST_FIELDS, type RequestStatus } from './fields.js';
import { REQUEST_KEY, moveProblem, onBehalfProblem, requestKey, type RequestMove } from './rules.js';

export interface RequestRecord {
  id: string;
  account_external_id: string;
  contact_email: string;
  subject: string;
  description: string | null;
  priority: string;
  status: string;
  created_by_login: string | null;
  created_at: string;
  updated_at: string;
}

/** requests with the keys of what they refer to; every read goes through it. */
export function requestsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('requests as r')
    .selectAll('r')
    .select([
      keyOf<string>('accounts', 'r.account_id').as('account_external_id'),
      keyOf<string>('contacts', 'r.contact_id').as('contact_email'),
      keyOf('managers', 'r.created_by_id').as('created_by_login'),
    ]);
}
type Joined = Awaited<ReturnType<ReturnType<typeof requestsQuery>['executeTakeFirstOrThrow']>>;

export function toRequestRecord(r: Joined): RequestRecord {
  return {
    id: requestKey(r.number),
    account_external_id: r.account_external_id,
    contact_email: r.contact_email,
    subject: r.subject,
    description: r.description,
    priority: r.priority,
    status: r.status,
    created_by_login: r.created_by_login,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

async function getRequest(db: Kysely<DB>, key: string): Promise<Joined> {
  return REQUEST_KEY.lookup(key, (n) => requestsQuery(db).where('r.number', '=', n).executeTakeFirst());
}

export async function showRequest(db: Kysely<DB>, key: string): Promise<RequestRecord> {
  return toRequestRecord(await getRequest(db, key));
}

/** Logins of the managers of the account and of its subscriptions. */
export async function associatedManagers(db: Kysely<DB>, accountId: number): Promise<{ id: number; login: string }[]> {
  const viaSubs = db.selectFrom('subscriptions').select('manager_id').where('account_id', '=', accountId);
  return db
    .selectFrom('managers')
    .select(['id', 'login'])
    .where((eb) =>
      eb.or([eb('id', 'in', db.selectFrom('accounts').select('manager_id').where('id', '=', accountId)), eb('id', 'in', viaSubs)]),
    )
    .execute();
}

/** `--by LOGIN`: allowed only when the setting is on and LOGIN is associated with the account (or backs one up that day). */
async function assertMayRaise(db: Kysely<DB>, op: Op, account: AccountRow, login: string): Promise<number> {
  const manager = await getManagerFor(db, 'by', login);
  const setting = await getSetting(db, 'manager-requests');
  const associated = await associatedManagers(db, account.id);
  const covering = new Set<string>();
  for (const m of associated) covering.add((await resolveRecipient(db, m.id, op.asOf)).login);
  const problem = onBehalfProblem(manager.login, account.external_id, setting, new Set(associated.map((m) => m.login)), covering, op.asOf);
  if (problem) throw new RefusedError(problem);
  return manager.id;
}

export async function addRequest(db: Kysely<DB>, op: Op, input: Record<string, unknown>, by?: string): Promise<RequestRecord> {
  const given = checkFields(REQUEST_FIELDS, input);
  requirePresent(REQUEST_FIELDS, given);
  const v = withDefaults(REQUEST_FIELDS, given);
  const account = await getAccount(db, v.account_external_id as string);
  const contactId = await liveContactId(db, account, v.contact_email as string);
  const createdBy = by === undefined ? null : await assertMayRaise(db, op, account, by);
  const { id } = await db
    .insertInto('requests')
    .values({
      number: await nextNumber(db, 'requests'),
      account_id: account.id,
      contact_id: contactId,
      subject: v.subject as string,
      description: (v.description as string | null | undefined) ?? null,
      priority: v.priority as string,
      status: 'open',
      created_by_id: createdBy,
      created_at: op.now,
      updated_at: op.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const record = toRequestRecord(await requestsQuery(db).where('r.id', '=', id).executeTakeFirstOrThrow());
  await audit(db, op, { action: 'add', entity: 'request', key: record.id, after: record });
  return record;
}

/** Changes subject, description, priority, and/or moves the status forward (`status`). */
export async function editRequest(db: Kysely<DB>, op: Op, key: string, input: Record<string, unknown>): Promise<RequestRecord> {
  const row = await getRequest(db, key);
  const editable = Object.fromEntries(
    ['subject', 'description', 'priority'].filter((f) => input[f] !== undefined).map((f) => [f, input[f]]),
  );
  const v = checkFields(REQUEST_FIELDS, editable);
  refuseCleared(REQUEST_FIELDS, v);
  const set: Record<string, unknown> = { ...v };
  if (input.status !== undefined) {
    const to = checkFilter(
      REQUEST_FIELDS.find((f) => f.name === 'status')!,
      String(input.status),
    ) as RequestStatus;
    assertMove(row, to, 'edit');
    set.status = to;
  }
  return change(db, op, row, set, 'edit');
}

function assertMove(row: Joined, to: RequestStatus, move: RequestMove): void {
  const problem = moveProblem(requestKey(row.number), row.status as RequestStatus, to, move);
  if (problem) throw new RefusedError(problem);
}

export async function closeRequest(db: Kysely<DB>, op: Op, key: string): Promise<RequestRecord> {
  const row = await getRequest(db, key);
  assertMove(row, 'closed', 'close');
  return change(db, op, row, { status: 'closed' }, 'close');
}

export async function reopenRequest(db: Kysely<DB>, op: Op, key: string): Promise<RequestRecord> {
  const row = await getRequest(db, key);
  assertMove(row, 'open', 'reopen');
  return change(db, op, row, { status: 'open' }, 'reopen');
}

async function change(db: Kysely<DB>, op: Op, row: Joined, set: Record<string, unknown>, action: string): Promise<RequestRecord> {
  const before = toRequestRecord(row);
  if (Object.keys(set).length === 0) return before;
  await db
    .updateTable('requests')
    .set({ ...set, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  const after = toRequestRecord(await requestsQuery(db).where('r.id', '=', row.id).executeTakeFirstOrThrow());
  await audit(db, op, { action, entity: 'request', key: after.id, before, after });
  return after;
}

export interface RequestFilter {
  account?: string;
  /** every request of every account this manager is associated with (the account or one of its subscriptions) */
  manager?: string;
  status?: string;
}

/** Newest first. */
export async function listRequests(db: Kysely<DB>, f: RequestFilter = {}): Promise<RequestRecord[]> {
  return collect(await requestBatches(db, f));
}

/** listRequests a batch at a time, nothing held beyond the batch; the filters checked before the first. */
export async function requestBatches(db: Kysely<DB>, f: RequestFilter = {}): Promise<AsyncIterable<RequestRecord[]>> {
  const status = checkFilter(
    REQUEST_FIELDS.find((x) => x.name === 'status')!,
    f.status,
  );
  let q = requestsQuery(db).orderBy('r.number', 'desc');
  if (f.account !== undefined) q = q.where('r.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.manager !== undefined) {
    const m = await getManager(db, f.manager);
    q = q.where(managedBy(m.id, 'r.account_id'));
  }
  if (status !== undefined) q = q.where('r.status', '=', status);
  return recordBatches(rowBatches(db, q), toRequestRecord);
}
