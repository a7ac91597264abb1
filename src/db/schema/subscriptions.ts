import type { Generated, Insertable, Selectable, Updateable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

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
