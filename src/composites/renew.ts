/**
 * Renewal: a successor subscription starting the day after the old end_date (or a later --start), priced
 * from the current price table. Whoever renews becomes the manager of the successor, and of the account
 * too when the account had the same manager as the old subscription; the seats carry over, and a plan
 * that includes a training gets it for the successor. Subscriptions, plans, managers, accounts, seats
 * and trainings together. The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import type { SubscriptionRow } from '../db/schema/subscriptions.js';
import { tutorProblem } from '../accounts/rules.js';
import { InvalidDataError, RefusedError, invalid } from '../errors.js';
import { addDays, deriveDate } from '../lib/dates.js';
import { foldKey } from '../lib/keys.js';
import { getManager } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { checkStudents, checkTerm, otherProductPlan } from '../plans/checks.js';
import { assertPlanCurrent, getPlan } from '../plans/lookup.js';
import { priceFor } from '../plans/pricing.js';
import { carryOverSeats } from '../seats/carry.js';
import { addHistory } from '../subscriptions/history.js';
import { findSuccessor, getSubscription } from '../subscriptions/lookup.js';
import { loadRecord, type SubscriptionRecord } from '../subscriptions/records.js';
import { generateExternalId } from '../subscriptions/service.js';
import { refuseCancelled } from '../subscriptions/status.js';
import { recordManagerChanges } from '../managers/changes.js';
import { endDateFor } from '../subscriptions/terms.js';
import { includePackageTraining } from '../trainings/service.js';
import type { Subscribed } from './subscribe.js';

export interface RenewInput {
  /** login of who renews (default: the old subscription's manager) */
  by?: string;
  plan?: string;
  term?: number;
  students?: number;
  start?: string;
}

async function assertRenewable(db: Kysely<DB>, old: SubscriptionRow): Promise<void> {
  refuseCancelled(old, ': it cannot be renewed');
  const successor = await findSuccessor(db, old.id);
  if (successor) {
    throw new RefusedError(`subscription ${old.external_id} is already renewed by ${successor.external_id}`);
  }
}

async function successorTerms(db: Kysely<DB>, old: SubscriptionRow, input: RenewInput) {
  const plan = input.plan
    ? await getPlan(db, input.plan)
    : await db.selectFrom('plans').selectAll().where('id', '=', old.plan_id).executeTakeFirstOrThrow();
  const other = otherProductPlan(input.plan, plan, old.product_id);
  if (other) throw new InvalidDataError([other]);
  await assertPlanCurrent(db, plan);
  const term = checkTerm(input.term ?? old.term_months, 'term');
  const students = checkStudents(input.students ?? old.students);
  const earliest = deriveDate('end_date', old.end_date, "the renewal's first day", () => addDays(old.end_date, 1));
  const start = input.start ?? earliest;
  if (start < earliest) throw invalid('start', start, `must not be before ${earliest}, the day after the old end_date`);
  const end = input.start ? endDateFor(start, term, 'start') : endDateFor(start, term, 'end_date', old.end_date);
  return { plan, term, students, start, end, price: await priceFor(db, plan, students, term) };
}

/** The successor's manager: --by, else the old manager. Tutor accounts have none. */
async function renewingManager(db: Kysely<DB>, old: SubscriptionRow, accountType: string, by?: string) {
  const tutor = tutorProblem(accountType, 'by', by);
  if (tutor) throw new InvalidDataError([tutor]);
  if (accountType === 'tutor') return null;
  return by ? (await getManager(db, by)).id : old.manager_id;
}

export async function renewSubscription(db: Kysely<DB>, op: Op, key: string, input: RenewInput = {}): Promise<SubscriptionRecord> {
  return (await renewWithTraining(db, op, key, input)).subscription;
}

/** The renewal, and the training its plan includes (created as on `subscriptions add`). */
export async function renewWithTraining(db: Kysely<DB>, op: Op, key: string, input: RenewInput = {}): Promise<Subscribed> {
  const old = await getSubscription(db, key);
  await assertRenewable(db, old);
  const t = await successorTerms(db, old, input);
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', old.account_id).executeTakeFirstOrThrow();
  const managerId = await renewingManager(db, old, account.type, input.by);
  const externalId = await generateExternalId(db);
  const { id } = await db
    .insertInto('subscriptions')
    .values({
      external_id: externalId,
      external_id_key: foldKey(externalId),
      account_id: old.account_id,
      product_id: old.product_id,
      plan_id: t.plan.id,
      students: t.students,
      term_months: t.term,
      start_date: t.start,
      end_date: t.end,
      status: 'active',
      manager_id: managerId,
      price_cents: t.price,
      paid_at: null,
      activation_code: null,
      renewed_from_id: old.id,
      created_at: op.now,
      updated_at: op.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const seats = await carryOverSeats(db, op, old.id, id);
  await addHistory(db, op, old.id, 'renew', { details: { successor: externalId } });
  await addHistory(db, op, id, 'renew', { onDate: t.start, amountCents: t.price, details: { renewed_from: old.external_id, seats } });
  const record = await loadRecord(db, id, op.asOf);
  await audit(db, op, { action: 'renew', entity: 'subscription', key: externalId, after: record });
  if (managerId !== old.manager_id) await moveOwnership(db, op, old, id, account, managerId);
  const training = await includePackageTraining(db, op, externalId);
  return { subscription: await loadRecord(db, id, op.asOf), ...(training ? { training } : {}) };
}

/** Renewed by a different manager: recorded on the successor, and the account follows if it was the same manager's. */
async function moveOwnership(
  db: Kysely<DB>,
  op: Op,
  old: SubscriptionRow,
  successorId: number,
  account: { id: number; external_id: string; manager_id: number | null },
  managerId: number | null,
): Promise<void> {
  const logins = await db
    .selectFrom('managers')
    .select(['id', 'login'])
    .where('id', 'in', [old.manager_id ?? -1, managerId ?? -1])
    .execute();
  const login = (mid: number | null) => logins.find((l) => l.id === mid)?.login ?? null;
  const before = { manager_login: login(old.manager_id) };
  const after = { manager_login: login(managerId) };
  const successor = await db.selectFrom('subscriptions').select('external_id').where('id', '=', successorId).executeTakeFirstOrThrow();
  await addHistory(db, op, successorId, 'reassign', {
    details: { from: before.manager_login, to: after.manager_login, reason: 'renewed by' },
  });
  await audit(db, op, {
    action: 'reassign',
    entity: 'subscription',
    key: successor.external_id,
    before,
    after: { ...after, reason: `renewed ${old.external_id}` },
  });
  if (account.manager_id !== old.manager_id) return;
  await db.updateTable('accounts').set({ manager_id: managerId, updated_at: op.now }).where('id', '=', account.id).execute();
  await recordManagerChanges(db, op, [{ account_id: account.id, from_manager_id: account.manager_id }], managerId, 'renew');
  await audit(db, op, {
    action: 'reassign',
    entity: 'account',
    key: account.external_id,
    before,
    after: { ...after, reason: `renewed ${old.external_id}` },
  });
}
