/**
 * `remind --explain SUB` / `--explain-seat EMAIL --subscription SUB`: the whole schedule of one
 * subscription or seat on the as-of date, each stage with its due date and its state, and why nothing
 * is sent when the subject is not eligible.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import type { NoticeKind } from '../db/schema/notices.js';
import { NotFoundError } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { findSuccessor, getSubscription } from '../subscriptions/lookup.js';
import { displayedStatus } from '../subscriptions/status.js';
import { dormancyBase } from './candidates.js';
import { loadRecipients } from './recipients.js';
import { cycleStages } from './schedule.js';

export interface StageState {
  kind: NoticeKind;
  stage: string;
  cycle: string;
  due_date: string;
  /** first day the stage is no longer sendable (null: after 9999-12-31) */
  sendable_until: string | null;
  /** sent | skipped | failed | claimed | in_doubt | due | not yet due | missed | not eligible */
  state: string;
  at: string | null;
  reason: string | null;
}

export interface Explanation {
  subscription_external_id: string;
  account_external_id: string;
  contact_email: string | null;
  displayed_status: string;
  recipient_login: string | null;
  recipient_email: string | null;
  /** why no notice of this subject is sent, or null */
  not_eligible: string | null;
  stages: StageState[];
}

interface Cycle {
  kind: NoticeKind;
  subjectId: number;
  base: string;
  blocked: string | null;
}

async function stageStates(db: Kysely<DB>, asOf: string, cycles: Cycle[]): Promise<StageState[]> {
  const out: StageState[] = [];
  for (const c of cycles) {
    const rows = await db
      .selectFrom('notices')
      .selectAll()
      .where('kind', '=', c.kind)
      .where('subject_id', '=', c.subjectId)
      .orderBy('id')
      .execute();
    const seen = new Set<number>();
    for (const s of cycleStages(c.kind, c.base)) {
      const row = rows.find((r) => r.stage === s.stage && r.cycle === c.base);
      if (row) seen.add(row.id);
      const state =
        row?.status ??
        (c.blocked ? 'not eligible' : asOf < s.due_date ? 'not yet due' : s.until === null || asOf < s.until ? 'due' : 'missed');
      out.push({
        kind: c.kind,
        stage: s.stage,
        cycle: c.base,
        due_date: s.due_date,
        sendable_until: s.until,
        state,
        at: row ? (row.sent_at ?? row.updated_at) : null,
        reason: row?.reason ?? null,
      });
    }
    // notices of earlier cycles (an end date or a last login that has since changed)
    for (const r of rows.filter((x) => !seen.has(x.id))) {
      out.push({
        kind: c.kind,
        stage: r.stage,
        cycle: r.cycle,
        due_date: r.due_date,
        sendable_until: '',
        state: r.status,
        at: r.sent_at ?? r.updated_at,
        reason: r.reason,
      });
    }
  }
  return out;
}

async function subscriptionContext(db: Kysely<DB>, op: Op, externalId: string) {
  const sub = await getSubscription(db, externalId);
  const account = await db
    .selectFrom('accounts')
    .select(['external_id', 'status', 'type'])
    .where('id', '=', sub.account_id)
    .executeTakeFirstOrThrow();
  const successor = await findSuccessor(db, sub.id);
  const status = displayedStatus({ ...sub, has_successor: successor !== undefined }, op.asOf);
  const common =
    sub.status === 'cancelled' || sub.status === 'trial'
      ? `the subscription is ${sub.status}`
      : account.status === 'deactivated'
        ? `account ${account.external_id} is deactivated`
        : null;
  return { sub, account, successor, status, common };
}

export async function explainSubscription(db: Kysely<DB>, op: Op, externalId: string): Promise<Explanation> {
  const { sub, account, successor, status, common } = await subscriptionContext(db, op, externalId);
  const renewalBlock = common ?? (successor ? `renewed: successor ${successor.external_id} exists` : null);
  const cycles: Cycle[] = [{ kind: 'renewal', subjectId: sub.id, base: sub.end_date, blocked: renewalBlock }];
  if (sub.paid_at !== null && sub.activation_code !== null)
    cycles.push({ kind: 'activation', subjectId: sub.id, base: sub.paid_at, blocked: common });
  const recipient = (await loadRecipients(db, op.asOf)).resolve(sub, 'renewal');
  return {
    subscription_external_id: sub.external_id,
    account_external_id: account.external_id,
    contact_email: null,
    displayed_status: status,
    recipient_login: typeof recipient === 'string' ? null : recipient.login,
    recipient_email: typeof recipient === 'string' ? null : recipient.email,
    not_eligible: renewalBlock ?? (typeof recipient === 'string' ? `no recipient: ${recipient}` : null),
    stages: await stageStates(db, op.asOf, cycles),
  };
}

export async function explainSeat(db: Kysely<DB>, op: Op, email: string, subscriptionExternalId: string): Promise<Explanation> {
  const { sub, account, status, common } = await subscriptionContext(db, op, subscriptionExternalId);
  const seat = await db
    .selectFrom('seats as se')
    .innerJoin('contacts as c', 'c.id', 'se.contact_id')
    .select(['se.id', 'se.status', 'se.invited_at', 'se.last_login_at', 'c.email', 'c.status as contact_status'])
    .where('se.subscription_id', '=', sub.id)
    .where('c.account_id', '=', sub.account_id)
    .where('c.email_key', '=', foldKey(email.trim()))
    .executeTakeFirst();
  if (!seat)
    throw new NotFoundError('seat', `${email} --subscription ${sub.external_id}`, 'list seats with: acctmgr seats list --subscription SUB');
  const blocked =
    common ??
    (seat.status === 'removed'
      ? 'the seat is removed'
      : seat.contact_status === 'removed'
        ? 'the contact is removed'
        : account.type === 'tutor'
          ? 'tutor accounts get no dormancy notices'
          : !(sub.start_date <= op.asOf && op.asOf <= sub.end_date)
            ? `the subscription is not running on ${op.asOf} (${sub.start_date} to ${sub.end_date})`
            : null);
  const base = dormancyBase(seat.last_login_at, seat.invited_at);
  const recipient = (await loadRecipients(db, op.asOf)).resolve(sub, 'dormancy');
  return {
    subscription_external_id: sub.external_id,
    account_external_id: account.external_id,
    contact_email: seat.email,
    displayed_status: status,
    recipient_login: typeof recipient === 'string' ? null : recipient.login,
    recipient_email: typeof recipient === 'string' ? null : recipient.email,
    not_eligible:
      base === null
        ? 'the seat has neither a login nor an invitation date'
        : (blocked ?? (typeof recipient === 'string' ? `no recipient: ${recipient}` : null)),
    stages: base === null ? [] : await stageStates(db, op.asOf, [{ kind: 'dormancy', subjectId: seat.id, base, blocked }]),
  };
}
