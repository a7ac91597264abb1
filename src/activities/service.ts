/**
 * Activities: the work log of an account (calls, emails, meetings, sessions, notes, tasks) and the
 * follow-ups agreed at the end of each. Plain functions over Kysely; the caller owns the transaction.
 * Sessions are held to fair use (sessions.ts) unless overridden with a reason.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { parentCycle } from '../accounts/rules.js';
import { audit } from '../audit/audit.js';
import type { AccountRow } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { nextNumber } from '../db/numbers.js';
import { liveContactId } from '../contacts/lookup.js';
import { RefusedError, invalid } from '../errors.js';
import { checkFields, checkOne, refuseCleared, requirePresent } from '../lib/checks.js';
import { timestampDate } from '../lib/dates.js';
import type { FieldValue } from '../lib/fields.js';
import { getManager, getManagerFor } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { ACTIVITY_FIELDS, isSessionKind } from './fields.js';
import { activitiesQuery, toActivityRecord, type ActivityRecord, type ActivityWithRefs } from './record.js';
import {
  ACTIVITY_KEY,
  activityKey,
  activityNow,
  activityNumber,
  heldToFairUse,
  closeProblem,
  defaultDuration,
  defaultStatus,
  FOLLOW_UP_CYCLE,
  followedMoveRule,
  otherAccountRule,
} from './rules.js';
import { fairUseProblem } from './sessions.js';

export { activityKey } from './rules.js';
export type { ActivityRecord } from './record.js';

const FIELD = (name: string) => ACTIVITY_FIELDS.find((f) => f.name === name)!;

/** What comes with an add, an edit or a done besides the fields. */
export interface ActivityExtras {
  /** a follow-up task to plan: its subject and when */
  next?: string;
  next_at?: string;
  /** record a session past a fair-use limit, for this reason */
  override_reason?: string;
}

export async function getActivity(db: Kysely<DB>, key: string): Promise<ActivityWithRefs> {
  return ACTIVITY_KEY.lookup(key, (n) => activitiesQuery(db).where('t.number', '=', n).executeTakeFirst());
}

export async function showActivity(db: Kysely<DB>, key: string): Promise<ActivityRecord> {
  return toActivityRecord(await getActivity(db, key));
}

/**
 * The id of the activity `key` that an activity of `account` follows: another activity, of the same
 * account, and — for a stored activity (`self`) — not one that follows it, however far down (a loop
 * could never be removed, nor imported again from its export).
 */
async function followedId(db: Kysely<DB>, account: AccountRow, key: string, self?: { id: number; number: number }): Promise<number> {
  const problem = ACTIVITY_KEY.problem('follow_up_of', key);
  if (problem) throw invalid(problem.field, problem.value, problem.rule);
  const n = activityNumber(key)!;
  const row = await followLink(db, 'number', n);
  if (!row) throw invalid('follow_up_of', key, 'no activity with this key');
  if (row.id === self?.id) throw invalid('follow_up_of', key, 'an activity cannot follow itself');
  if (row.account_id !== account.id) throw invalid('follow_up_of', key, otherAccountRule(account.external_id));
  if (self) {
    const loop = await followUpLoop(db, self, row);
    if (loop) throw invalid('follow_up_of', key, `${FOLLOW_UP_CYCLE}: ${loop.join(' → ')}`);
  }
  return row.id;
}

function followLink(db: Kysely<DB>, by: 'id' | 'number', value: number) {
  return db.selectFrom('activities').select(['id', 'number', 'account_id', 'follow_up_of']).where(by, '=', value).executeTakeFirst();
}

/** The keys of the loop `self` would close by following `followed` (self first and last), or undefined. */
async function followUpLoop(
  db: Kysely<DB>,
  self: { id: number; number: number },
  followed: { id: number; number: number; follow_up_of: number | null },
): Promise<string[] | undefined> {
  const parentOf = new Map<number, number | null>([[self.id, followed.id]]);
  const numberOf = new Map<number, number>([
    [self.id, self.number],
    [followed.id, followed.number],
  ]);
  parentOf.set(followed.id, followed.follow_up_of);
  for (let cur = followed.follow_up_of; cur !== null && !parentOf.has(cur);) {
    const r = await followLink(db, 'id', cur);
    parentOf.set(cur, r?.follow_up_of ?? null);
    if (r) numberOf.set(cur, r.number);
    cur = r?.follow_up_of ?? null;
  }
  return parentCycle(parentOf, self.id)?.map((id) => activityKey(numberOf.get(id)!));
}

/**
 * An activity moved to `account` keeps the links it does not change: the activity it follows and those
 * that follow it must be of that account too.
 */
async function assertLinksMove(db: Kysely<DB>, row: ActivityWithRefs, account: AccountRow, v: Record<string, FieldValue>): Promise<void> {
  if (row.follow_up_of !== null && !('follow_up_of' in v)) {
    const followed = await followLink(db, 'id', row.follow_up_of);
    if (followed && followed.account_id !== account.id)
      throw invalid('follow_up_of', activityKey(followed.number), otherAccountRule(account.external_id));
  }
  const followers = await db
    .selectFrom('activities as f')
    .innerJoin('accounts as a', 'a.id', 'f.account_id')
    .select(['f.number', 'a.external_id'])
    .where('f.follow_up_of', '=', row.id)
    .where('f.account_id', '!=', account.id)
    .orderBy('f.number')
    .execute();
  if (followers.length > 0)
    throw invalid(
      'account_external_id',
      v.account_external_id,
      followedMoveRule(
        activityKey(row.number),
        followers.map((f) => ({ key: activityKey(f.number), account: f.external_id })),
      ),
    );
}

/** Column values from checked fields; references resolved against `account`. */
async function columns(db: Kysely<DB>, account: AccountRow, v: Record<string, FieldValue>, self?: { id: number; number: number }) {
  const out: Record<string, unknown> = {};
  for (const f of ['kind', 'subject', 'notes', 'at', 'duration_minutes', 'status', 'outcome'] as const) if (f in v) out[f] = v[f];
  if ('contact_email' in v) out.contact_id = v.contact_email === null ? null : await liveContactId(db, account, v.contact_email as string);
  if ('manager_login' in v)
    out.manager_id = v.manager_login === null ? null : (await getManagerFor(db, 'manager_login', v.manager_login as string)).id;
  if ('follow_up_of' in v)
    out.follow_up_of = v.follow_up_of === null ? null : await followedId(db, account, v.follow_up_of as string, self);
  return out;
}

/**
 * The override_reason an activity is stored with: the reason given, when the session is past a fair-use
 * limit (refused without one); null when no limit is passed (not a session, cancelled, or within every
 * limit): an override that overrides nothing is not recorded, so `list --overrides` lists only sessions
 * recorded past a limit.
 */
async function overridden(
  db: Kysely<DB>,
  account: AccountRow,
  a: { kind: string; at: string; status: string },
  reason: string | null,
  selfId?: number,
): Promise<string | null> {
  if (!heldToFairUse(a.kind, a.status)) return null;
  const problem = await fairUseProblem(db, account, a.kind, timestampDate(a.at), selfId);
  if (problem === undefined) return null;
  if (reason === null) throw new RefusedError(problem);
  return reason;
}

function overrideReason(extras: ActivityExtras): string | null {
  if (extras.override_reason === undefined) return null;
  return checkOne(FIELD('override_reason'), extras.override_reason, 'reason') as string | null;
}

export async function addActivity(
  db: Kysely<DB>,
  op: Op,
  input: Record<string, unknown>,
  extras: ActivityExtras = {},
): Promise<ActivityRecord[]> {
  const v = checkFields(ACTIVITY_FIELDS, input);
  requirePresent(ACTIVITY_FIELDS, v);
  const account = await getAccount(db, v.account_external_id as string);
  const set = await columns(db, account, v);
  const kind = v.kind as string;
  const at = (v.at as string | null) ?? activityNow(op);
  const status = (v.status as string | null) ?? defaultStatus(at, activityNow(op));
  const reason = await overridden(db, account, { kind, at, status }, overrideReason(extras));
  const row = await insert(db, op, account, {
    ...set,
    at,
    status,
    duration_minutes: v.duration_minutes ?? defaultDuration(kind),
    manager_id: 'manager_id' in set ? set.manager_id : account.manager_id,
    override_reason: reason,
  });
  const added = [row];
  if (extras.next !== undefined) added.push(await addFollowUp(db, op, account, row, extras));
  return added;
}

async function insert(db: Kysely<DB>, op: Op, account: AccountRow, set: Record<string, unknown>): Promise<ActivityRecord> {
  const values = {
    number: await nextNumber(db, 'activities'),
    account_id: account.id,
    kind: set.kind as string,
    subject: set.subject as string,
    notes: (set.notes as string | null | undefined) ?? null,
    contact_id: (set.contact_id as number | null | undefined) ?? null,
    manager_id: (set.manager_id as number | null | undefined) ?? null,
    at: set.at as string,
    duration_minutes: (set.duration_minutes as number | null | undefined) ?? null,
    status: set.status as string,
    outcome: (set.outcome as string | null | undefined) ?? null,
    follow_up_of: (set.follow_up_of as number | null | undefined) ?? null,
    override_reason: (set.override_reason as string | null | undefined) ?? null,
    created_at: op.now,
    updated_at: op.now,
  };
  const { id } = await db.insertInto('activities').values(values).returning('id').executeTakeFirstOrThrow();
  const record = toActivityRecord(await activitiesQuery(db).where('t.id', '=', id).executeTakeFirstOrThrow());
  await audit(db, op, { action: 'add', entity: 'activity', key: record.id, after: record });
  return record;
}

/** The follow-up agreed: a planned task of the same account and manager. */
async function addFollowUp(
  db: Kysely<DB>,
  op: Op,
  account: AccountRow,
  of: ActivityRecord,
  extras: ActivityExtras,
): Promise<ActivityRecord> {
  const subject = checkOne(FIELD('subject'), extras.next, 'next');
  if (subject === null) throw invalid('next', extras.next, 'must not be empty');
  if (extras.next_at === undefined) throw invalid('next_at', '', 'is required with --next');
  const at = checkOne(FIELD('at'), extras.next_at, 'next_at') as string;
  const manager = of.manager_login === null ? null : (await getManager(db, of.manager_login)).id;
  const followed = await followedId(db, account, of.id);
  return insert(db, op, account, { kind: 'task', subject, at, status: 'planned', manager_id: manager, follow_up_of: followed });
}

/** Changes the given fields; a session moved, retyped or brought back is held to fair use again. */
export async function editActivity(
  db: Kysely<DB>,
  op: Op,
  key: string,
  input: Record<string, unknown>,
  extras: ActivityExtras = {},
): Promise<ActivityRecord> {
  const row = await getActivity(db, key);
  const v = checkFields(ACTIVITY_FIELDS, input);
  refuseCleared(ACTIVITY_FIELDS, v);
  const before = toActivityRecord(row);
  const account = v.account_external_id ? await getAccount(db, v.account_external_id as string) : await accountOf(db, row);
  if (account.id !== row.account_id && !('contact_email' in v) && row.contact_id !== null)
    throw invalid('account_external_id', v.account_external_id, 'the contact belongs to the old account: give --contact-email too');
  const set = await columns(db, account, v, row);
  if (account.id !== row.account_id) {
    await assertLinksMove(db, row, account, v);
    set.account_id = account.id;
  }
  const given = overrideReason(extras);
  const next = { kind: (set.kind as string) ?? row.kind, at: (set.at as string) ?? row.at, status: (set.status as string) ?? row.status };
  const counted = isSessionKind(row.kind) && row.status !== 'cancelled' ? timestampDate(row.at) : undefined;
  const moved = next.kind !== row.kind || timestampDate(next.at) !== counted || account.id !== row.account_id || next.status !== row.status;
  // held to fair use again when moved, or when --override asks to record it past a limit where it is; a
  // session cancelled keeps the reason it was recorded with
  if ((moved || given !== null) && isSessionKind(next.kind) && next.status !== 'cancelled') {
    const reason = await overridden(db, account, next, given, row.id);
    if (reason !== row.override_reason && (moved || reason !== null)) set.override_reason = reason;
  }
  if (Object.keys(set).length === 0) return before;
  await db
    .updateTable('activities')
    .set({ ...set, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  const after = toActivityRecord(await activitiesQuery(db).where('t.id', '=', row.id).executeTakeFirstOrThrow());
  await audit(db, op, { action: 'edit', entity: 'activity', key: after.id, before, after });
  return after;
}

async function accountOf(db: Kysely<DB>, row: ActivityWithRefs): Promise<AccountRow> {
  return db.selectFrom('accounts').selectAll().where('id', '=', row.account_id).executeTakeFirstOrThrow();
}

/** Closes a planned activity as done (with its outcome), and may plan the next step. */
export async function doneActivity(
  db: Kysely<DB>,
  op: Op,
  key: string,
  outcome: string | undefined,
  extras: ActivityExtras = {},
): Promise<ActivityRecord[]> {
  const row = await getActivity(db, key);
  const problem = closeProblem(activityKey(row.number), row.status, 'done');
  if (problem) throw new RefusedError(problem);
  const input: Record<string, unknown> = { status: 'done' };
  if (outcome !== undefined) input.outcome = outcome;
  const done = await editActivity(db, op, key, input);
  const out = [done];
  if (extras.next !== undefined) out.push(await addFollowUp(db, op, await accountOf(db, row), done, extras));
  return out;
}

export async function cancelActivity(db: Kysely<DB>, op: Op, key: string): Promise<ActivityRecord> {
  const row = await getActivity(db, key);
  const problem = closeProblem(activityKey(row.number), row.status, 'cancelled');
  if (problem) throw new RefusedError(problem);
  return editActivity(db, op, key, { status: 'cancelled' });
}

/** Deletes an activity; one that others follow stays until they are removed or repointed. */
export async function removeActivity(db: Kysely<DB>, op: Op, key: string): Promise<ActivityRecord> {
  const row = await getActivity(db, key);
  const before = toActivityRecord(row);
  const followers = await db.selectFrom('activities').select('number').where('follow_up_of', '=', row.id).orderBy('number').execute();
  if (followers.length > 0) {
    const keys = followers.map((f) => activityKey(f.number)).join(', ');
    throw new RefusedError(
      `activity ${before.id} is followed by ${keys}`,
      `remove those first, or clear their link: acctmgr activities edit ${activityKey(followers[0]!.number)} --follow-up-of ""`,
    );
  }
  await db.deleteFrom('activities').where('id', '=', row.id).execute();
  await audit(db, op, { action: 'remove', entity: 'activity', key: before.id, before });
  return before;
}
