import type { Generated } from '#kysely';

/** A subscription's own history (pay, renew, upgrade, cancel, reassign …), beside the audit log. */
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
