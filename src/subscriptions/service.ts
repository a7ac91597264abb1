/**
 * Subscriptions: add and list. Plain functions over Kysely; the caller owns the transaction.
 * Pay/cancel: payment.ts; renew: renew.ts; upgrade: upgrade.ts; show: show.ts.
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import type { AccountRow } from '../db/schema/accounts.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { tutorProblem } from '../accounts/rules.js';
import { ConflictError, InvalidDataError } from '../errors.js';
import { checkFields, checkFilter, requirePresent } from '../lib/checks.js';
import { addDays, deriveDate } from '../lib/dates.js';
import { foldKey } from '../lib/keys.js';
import { getManager } from '../managers/lookup.js';
import type { Op } from '../op.js';
import { withDefaults } from '../lib/fields.js';
import { planProductProblem } from '../plans/checks.js';
import { assertPlanCurrent, getPlan, getProduct } from '../plans/lookup.js';
import { priceFor } from '../plans/pricing.js';
import { SUBSCRIPTION_FIELDS } from './fields.js';
import { addHistory } from './history.js';
import { findSubscription } from './lookup.js';
import { loadRecord, subscriptionsQuery, toSubscriptionRecord, type SubscriptionRecord } from './records.js';
import { DISPLAYED_STATUSES } from './status.js';
import { endDateFor } from './terms.js';

export type { SubscriptionRecord } from './records.js';

const SETTABLE = SUBSCRIPTION_FIELDS.filter((f) => !f.readOnly);

/**
 * The manager of a new subscription: the one named, else the account's. Tutor accounts have none
 * (the private tutor is both subscriber and user), so naming one is refused.
 */
async function managerFor(db: Kysely<DB>, account: AccountRow, login: string | null | undefined): Promise<number | null> {
  const tutor = tutorProblem(account.type, 'manager_login', login);
  if (tutor) throw new InvalidDataError([tutor]);
  if (account.type === 'tutor') return null;
  if (login) return (await getManager(db, login)).id;
  return account.manager_id;
}

/** SUB-000042 style ids; skips ids already taken (e.g. imported ones). */
export async function generateExternalId(db: Kysely<DB>): Promise<string> {
  const max = await db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  for (let n = Number(max?.m ?? 0) + 1; ; n++) {
    const id = `SUB-${String(n).padStart(6, '0')}`;
    if (!(await findSubscription(db, id))) return id;
  }
}

export async function addSubscription(db: Kysely<DB>, op: Op, input: Record<string, unknown>): Promise<SubscriptionRecord> {
  const given = checkFields(SETTABLE, input);
  requirePresent(SETTABLE, given);
  const v = withDefaults(SETTABLE, given);
  const term = v.term_months as number;
  const account = await getAccount(db, v.account_external_id as string);
  const plan = await getPlan(db, v.plan as string);
  if (v.product) {
    const product = await getProduct(db, v.product as string);
    const planProduct = await db.selectFrom('products').select(['id', 'code']).where('id', '=', plan.product_id).executeTakeFirstOrThrow();
    const mismatch = planProductProblem(v.product as string, product, planProduct);
    if (mismatch) throw new InvalidDataError([mismatch]);
  }
  await assertPlanCurrent(db, plan);
  const externalId = (v.external_id as string | null) ?? (await generateExternalId(db));
  const existing = await findSubscription(db, externalId);
  if (existing) throw new ConflictError(`external_id "${externalId}" is already used by subscription ${existing.external_id}`);
  const managerId = await managerFor(db, account, v.manager_login as string | null);
  const price = await priceFor(db, plan, v.students as number, term);
  const start = v.start_date as string;
  const row = await db
    .insertInto('subscriptions')
    .values({
      external_id: externalId,
      external_id_key: foldKey(externalId),
      account_id: account.id,
      product_id: plan.product_id,
      plan_id: plan.id,
      students: v.students as number,
      term_months: term,
      start_date: start,
      end_date: endDateFor(start, term),
      status: v.status as string,
      manager_id: managerId,
      price_cents: price,
      paid_at: null,
      activation_code: null,
      renewed_from_id: null,
      created_at: op.now,
      updated_at: op.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addHistory(db, op, row.id, 'add', { onDate: start, amountCents: price });
  const record = await loadRecord(db, row.id, op.asOf);
  await audit(db, op, { action: 'add', entity: 'subscription', key: externalId, after: record });
  return record;
}

export interface SubscriptionFilter {
  account?: string;
  manager?: string;
  product?: string;
  plan?: string;
  /** displayed status for the as-of date */
  status?: string;
  /** end_date < this date */
  endingBefore?: string;
  /** as-of ≤ end_date ≤ as-of + days */
  endingWithin?: number;
}

export async function listSubscriptions(db: Kysely<DB>, op: Op, f: SubscriptionFilter = {}): Promise<SubscriptionRecord[]> {
  return collect(await subscriptionBatches(db, op, f));
}

/**
 * listSubscriptions a batch at a time, nothing held beyond the batch; the filters checked before the first:
 * an account, manager, product or plan that does not exist is not found (exit 1), as in `accounts list`.
 */
export async function subscriptionBatches(
  db: Kysely<DB>,
  op: Op,
  f: SubscriptionFilter = {},
): Promise<AsyncIterable<SubscriptionRecord[]>> {
  const status = checkFilter({ name: 'status', type: 'enum', values: DISPLAYED_STATUSES }, f.status);
  checkFilter({ name: 'ending_within', type: 'int', min: 0 }, f.endingWithin);
  // by the key's fold, as exports sort (docs/basics.md Keys), not the raw text's code points
  let q = subscriptionsQuery(db).orderBy('s.end_date').orderBy('s.external_id_key');
  if (f.account !== undefined) q = q.where('s.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.manager !== undefined) q = q.where('s.manager_id', '=', (await getManager(db, f.manager)).id);
  if (f.product !== undefined) q = q.where('s.product_id', '=', (await getProduct(db, f.product)).id);
  if (f.plan !== undefined) q = q.where('s.plan_id', '=', (await getPlan(db, f.plan)).id);
  if (f.endingBefore) q = q.where('s.end_date', '<', f.endingBefore);
  if (f.endingWithin !== undefined) {
    const last = deriveDate('ending_within', f.endingWithin, 'as-of + ending_within', () => addDays(op.asOf, f.endingWithin!));
    q = q.where('s.end_date', '>=', op.asOf).where('s.end_date', '<=', last);
  }
  // the displayed status depends on the as-of date: filtered on the records
  return recordBatches(rowBatches(db, q), (r) => toSubscriptionRecord(r, op.asOf), status ? (r) => r.status === status : undefined);
}
