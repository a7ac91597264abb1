/**
 * Subscription rows joined to what their records show (account, product, plan, manager, predecessor,
 * whether a non-cancelled successor exists), in one query for a whole list.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { formatCents } from '../lib/fields.js';
import { displayedStatus, type DisplayedStatus } from './status.js';

export interface SubscriptionRecord {
  external_id: string;
  account_external_id: string;
  product: string;
  plan: string;
  students: number;
  term_months: number;
  start_date: string;
  end_date: string;
  /** displayed status for the as-of date */
  status: DisplayedStatus;
  /** stored status: active | trial | cancelled */
  base_status: string;
  manager_login: string | null;
  price: string;
  currency: string;
  paid_at: string | null;
  activation_code: string | null;
  renewed_from_external_id: string | null;
}

/**
 * Subscriptions (s) joined to their account (a), product (p), plan (pl), manager (m) and predecessor
 * (prev), for records and exports alike.
 */
export function subscriptionJoins(db: Kysely<DB>) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('products as p', 'p.id', 's.product_id')
    .innerJoin('plans as pl', 'pl.id', 's.plan_id')
    .leftJoin('managers as m', 'm.id', 's.manager_id')
    .leftJoin('subscriptions as prev', 'prev.id', 's.renewed_from_id');
}

export function subscriptionsQuery(db: Kysely<DB>) {
  return subscriptionJoins(db)
    .selectAll('s')
    .select([
      'a.external_id as account_external_id',
      'a.type as account_type',
      'a.manager_id as account_manager_id',
      'p.code as product_code',
      'pl.code as plan_code',
      'pl.currency as currency',
      'm.login as manager_login',
      'prev.external_id as renewed_from_external_id',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('subscriptions as nx')
            .select('nx.id')
            .whereRef('nx.renewed_from_id', '=', 's.id')
            .where('nx.status', '!=', 'cancelled'),
        )
        .as('has_successor'),
    );
}

export type JoinedSubscription = Awaited<ReturnType<ReturnType<typeof subscriptionsQuery>['executeTakeFirstOrThrow']>>;

export function toSubscriptionRecord(row: JoinedSubscription, asOf: string): SubscriptionRecord {
  const status = displayedStatus(
    { status: row.status, end_date: row.end_date, paid_at: row.paid_at, has_successor: Boolean(row.has_successor) },
    asOf,
  );
  return {
    external_id: row.external_id,
    account_external_id: row.account_external_id,
    product: row.product_code,
    plan: row.plan_code,
    students: row.students,
    term_months: row.term_months,
    start_date: row.start_date,
    end_date: row.end_date,
    status,
    base_status: row.status,
    manager_login: row.manager_login,
    price: formatCents(row.price_cents),
    currency: row.currency,
    paid_at: row.paid_at,
    activation_code: row.activation_code,
    renewed_from_external_id: row.renewed_from_external_id,
  };
}

async function loadJoined(db: Kysely<DB>, id: number): Promise<JoinedSubscription> {
  return subscriptionsQuery(db).where('s.id', '=', id).executeTakeFirstOrThrow();
}

export async function loadRecord(db: Kysely<DB>, id: number, asOf: string): Promise<SubscriptionRecord> {
  return toSubscriptionRecord(await loadJoined(db, id), asOf);
}
