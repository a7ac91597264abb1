/**
 * A new subscription with the training its plan includes (plans.included_training_credits) and, when
 * asked, its instalment invoices, in the caller's one transaction: `subscriptions add`. Renewals do the same (renew.ts); imports and upgrades
 * do not.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { billInInstalments } from '../invoices/service.js';
import type { Op } from '../op.js';
import { addSubscription, type SubscriptionRecord } from '../subscriptions/service.js';
import { includePackageTraining, type TrainingRecord } from '../trainings/service.js';

export interface Subscribed {
  subscription: SubscriptionRecord;
  /** the package training created with it, if the plan includes one */
  training?: TrainingRecord;
}

export async function subscribe(
  db: Kysely<DB>,
  op: Op,
  input: Record<string, unknown>,
  billing: { instalments?: number } = {},
): Promise<Subscribed> {
  const subscription = await addSubscription(db, op, input);
  const training = await includePackageTraining(db, op, subscription.external_id);
  // --instalments 2: the term's yearly invoices, the first issued now, the second planned
  if (billing.instalments !== undefined) await billInInstalments(db, op, subscription.external_id, billing.instalments);
  return { subscription, ...(training ? { training } : {}) };
}
