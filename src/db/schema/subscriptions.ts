import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ImportTracked } from './imports.js';

export interface ProductsTable extends ImportTracked {
  id: Generated<number>;
  code: string;
  /** foldKey(code): unique */
  code_key: string;
  name: string;
  created_at: string;
  updated_at: string;
}
export type ProductRow = Selectable<ProductsTable>;

export interface PlansTable extends ImportTracked {
  id: Generated<number>;
  code: string;
  /** foldKey(code): unique across all products */
  code_key: string;
  name: string;
  product_id: number;
  currency: string;
  /** ';'-separated module names */
  modules: string;
  legacy: number;
  created_at: string;
  updated_at: string;
}
export type PlanRow = Selectable<PlansTable>;

export interface PlanPricesTable extends ImportTracked {
  id: Generated<number>;
  plan_id: number;
  /** null = any number of students (flat price) */
  max_students: number | null;
  term_months: number;
  amount_cents: number;
  created_at: string;
  updated_at: string;
}
export type PlanPriceRow = Selectable<PlanPricesTable>;

export interface SubscriptionsTable extends ImportTracked {
  id: Generated<number>;
  external_id: string;
  /** foldKey(external_id): unique */
  external_id_key: string;
  account_id: number;
  product_id: number;
  plan_id: number;
  students: number;
  term_months: number;
  start_date: string;
  end_date: string;
  /** stored base status: active | trial | cancelled */
  status: string;
  manager_id: number | null;
  price_cents: number;
  paid_at: string | null;
  activation_code: string | null;
  renewed_from_id: number | null;
  created_at: string;
  updated_at: string;
}
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type NewSubscriptionRow = Insertable<SubscriptionsTable>;
export type SubscriptionUpdate = Updateable<SubscriptionsTable>;

export interface SubscriptionHistoryTable {
  id: Generated<number>;
  subscription_id: number;
  at: string;
  on_date: string;
  event: string;
  amount_cents: number | null;
  details_json: string | null;
  actor: string;
}

export interface SeatsTable extends ImportTracked {
  id: Generated<number>;
  subscription_id: number;
  contact_id: number;
  /** invited | active | removed */
  status: string;
  invited_at: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}
export type SeatRow = Selectable<SeatsTable>;

export interface LoginEventsTable extends ImportTracked {
  id: Generated<number>;
  seat_id: number;
  at: string;
}
