/**
 * Trainings sold to an account's teachers: add, edit, show, and the training a package includes.
 * Plain functions over Kysely; the caller owns the transaction. Every change is audited, and every
 * step kept in training_steps (steps.ts moves them).
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import type { AccountRow } from '../db/schema/accounts.js';
import type { DB } from '../db/schema/index.js';
import { nextNumber } from '../db/numbers.js';
import { InvalidDataError, NotFoundError, invalid } from '../errors.js';
import { checkFields, refuseCleared, requirePresent } from '../lib/checks.js';
import { withDefaults, type FieldValue } from '../lib/fields.js';
import { invoiceName, invoicesQuery } from '../invoices/record.js';
import { getManagerFor } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { findSubscription } from '../subscriptions/lookup.js';
import { EDITABLE_FIELDS, TRAINING_FIELDS } from './fields.js';
import { stateColumns, stateOfRow, toTrainingRecord, trainingsQuery, type TrainingRecord, type TrainingWithRefs } from './record.js';
import { becomesPackage, judge, NEW_TRAINING, TOPIC_TO_BE_AGREED, TRAINING_KEY, type TrainingState } from './rules.js';

export type { TrainingRecord } from './record.js';

/** A step of a training's history as `show` lists it. */
export interface TrainingStep {
  status: string;
  date: string;
  actor: string;
}

export interface TrainingDetails extends TrainingRecord {
  history: TrainingStep[];
}

export async function getTraining(db: Kysely<DB>, key: string): Promise<TrainingWithRefs> {
  return TRAINING_KEY.lookup(key, (n) => trainingsQuery(db).where('t.number', '=', n).executeTakeFirst());
}

async function recordOf(db: Kysely<DB>, id: number): Promise<TrainingRecord> {
  return toTrainingRecord(await trainingsQuery(db).where('t.id', '=', id).executeTakeFirstOrThrow());
}

export async function trainingHistory(db: Kysely<DB>, trainingId: number): Promise<TrainingStep[]> {
  const rows = await db
    .selectFrom('training_steps')
    .select(['status', 'on_date', 'actor'])
    .where('training_id', '=', trainingId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ status: r.status, date: r.on_date, actor: r.actor }));
}

export async function showTraining(db: Kysely<DB>, key: string): Promise<TrainingDetails> {
  const row = await getTraining(db, key);
  return { ...toTrainingRecord(row), history: await trainingHistory(db, row.id) };
}

/** Keeps a step: its status, the day and who took it. */
export async function recordStep(db: Kysely<DB>, op: Op, trainingId: number, status: string, on: string, actor: string): Promise<void> {
  await db.insertInto('training_steps').values({ training_id: trainingId, status, on_date: on, actor, created_at: op.now }).execute();
}

/** References of the given values resolved: the subscription (of this account) and the manager. */
async function references(db: Kysely<DB>, account: AccountRow, v: Record<string, FieldValue>) {
  const out: { subscription_id?: number | null; manager_id?: number | null } = {};
  const sub = v.subscription_external_id;
  if (typeof sub === 'string') {
    const row = await findSubscription(db, sub);
    if (!row) throw invalid('subscription_external_id', sub, 'no subscription with this external_id');
    if (row.account_id !== account.id)
      throw invalid('subscription_external_id', sub, `is a subscription of another account (not ${account.external_id})`);
    out.subscription_id = row.id;
  } else if (sub === null) out.subscription_id = null;
  if (typeof v.manager_login === 'string') out.manager_id = (await getManagerFor(db, 'manager_login', v.manager_login)).id;
  else if (v.manager_login === null) out.manager_id = null;
  return out;
}

/** The state after the values, or every problem of it at once. */
function judged(base: TrainingState, v: Record<string, FieldValue>): TrainingState {
  const { state, problems } = judge(base, v);
  if (problems.length > 0) throw new InvalidDataError(problems);
  return state;
}

interface NewTraining {
  account_id: number;
  subscription_id: number | null;
  topic: string;
  participants: number;
  manager_id: number | null;
  notes: string | null;
  state: TrainingState;
}

/** Inserts a requested training with its first step, audited; the next key is max + 1. */
async function insertTraining(db: Kysely<DB>, op: Op, t: NewTraining): Promise<TrainingRecord> {
  const { state, ...rest } = t;
  const { id } = await db
    .insertInto('trainings')
    .values({
      number: await nextNumber(db, 'trainings'),
      ...rest,
      ...stateColumns(state),
      expert_id: null,
      created_at: op.now,
      updated_at: op.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordStep(db, op, id, state.status, op.asOf, op.actor);
  const record = await recordOf(db, id);
  await audit(db, op, { action: 'add', entity: 'training', key: record.id, after: record });
  return record;
}

/** A new training, requested: it needs only the account, the topic and the participants. */
export async function addTraining(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<TrainingRecord> {
  const given = checkFields(TRAINING_FIELDS, input);
  requirePresent(TRAINING_FIELDS, given);
  const v = withDefaults(TRAINING_FIELDS, { ...given, status: 'requested' });
  const account = await getAccount(db, v.account_external_id as string);
  const refs = await references(db, account, v);
  const state = judged(NEW_TRAINING, v);
  return insertTraining(db, op, {
    account_id: account.id,
    subscription_id: refs.subscription_id ?? null,
    topic: v.topic as string,
    participants: v.participants as number,
    manager_id: refs.manager_id !== undefined ? refs.manager_id : account.manager_id,
    notes: (v.notes as string | null | undefined) ?? null,
    state,
  });
}

/** Changes the given fields; the training must still meet what its step requires. */
export async function editTraining(db: Kysely<DB>, op: Op, key: string, input: Record<string, unknown>): Promise<TrainingRecord> {
  const row = await getTraining(db, key);
  const v = checkFields(EDITABLE_FIELDS, input);
  refuseCleared(TRAINING_FIELDS, v);
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', row.account_id).executeTakeFirstOrThrow();
  const refs = await references(db, account, v);
  const base: TrainingState = { ...stateOfRow(row), delivered_on: await deliveredOn(db, row), as_of: op.asOf };
  if (becomesPackage(base, v)) base.billed_by = await billedBy(db, row.id);
  const state = judged(base, v);
  const before = toTrainingRecord(row);
  const set = { ...stateColumns(state), ...refs } as Record<string, unknown>;
  for (const f of ['topic', 'participants', 'notes'] as const) if (v[f] !== undefined) set[f] = v[f];
  const changed = Object.entries(set).some(([c, x]) => (row as Record<string, unknown>)[c] !== x);
  if (!changed) return before;
  await db
    .updateTable('trainings')
    .set({ ...set, updated_at: op.now })
    .where('id', '=', row.id)
    .execute();
  const after = await recordOf(db, row.id);
  await audit(db, op, { action: 'edit', entity: 'training', key: after.id, before, after });
  return after;
}

/** The invoice (not void) that bills a training, by its name, or null. */
export async function billedBy(db: Kysely<DB>, trainingId: number): Promise<string | null> {
  const invoice = await invoicesQuery(db).where('i.training_id', '=', trainingId).where('i.status', '!=', 'void').executeTakeFirst();
  return invoice ? invoiceName(invoice) : null;
}

/** The day a delivered training's delivered step was taken (null: not delivered, or no step kept). */
export async function deliveredOn(db: Kysely<DB>, row: { id: number; status: string }): Promise<string | null> {
  if (row.status !== 'delivered') return null;
  const step = await db
    .selectFrom('training_steps')
    .select('on_date')
    .where('training_id', '=', row.id)
    .where('status', '=', 'delivered')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return step?.on_date ?? null;
}

/**
 * The training a plan with included_training_credits includes, for a subscription just created or
 * renewed: requested, from the package, price 0, the topic to be agreed, one participant per teacher
 * of the account (at least 1) — unless the subscription has one already. Undefined when none is made.
 */
export async function includePackageTraining(db: Kysely<DB>, op: Op, subscriptionExternalId: string): Promise<TrainingRecord | undefined> {
  const sub = await findSubscription(db, subscriptionExternalId);
  if (!sub) throw new NotFoundError('subscription', subscriptionExternalId);
  const plan = await db
    .selectFrom('plans')
    .select(['included_training_credits', 'currency'])
    .where('id', '=', sub.plan_id)
    .executeTakeFirstOrThrow();
  if (plan.included_training_credits <= 0) return undefined;
  const existing = await db.selectFrom('trainings').select('id').where('subscription_id', '=', sub.id).executeTakeFirst();
  if (existing) return undefined;
  const account = await db.selectFrom('accounts').select(['id', 'manager_id']).where('id', '=', sub.account_id).executeTakeFirstOrThrow();
  const teachers = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', account.id)
    .where('role', '=', 'teacher')
    .where('status', '!=', 'removed')
    .executeTakeFirstOrThrow();
  return insertTraining(db, op, {
    account_id: account.id,
    subscription_id: sub.id,
    topic: TOPIC_TO_BE_AGREED,
    participants: Math.max(1, Number(teachers.n)),
    manager_id: account.manager_id,
    notes: null,
    state: { ...NEW_TRAINING, credits: plan.included_training_credits, source: 'package', currency: plan.currency },
  });
}
