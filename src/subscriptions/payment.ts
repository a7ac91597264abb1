/** Payment (with its activation code) and cancellation. The caller owns the transaction. */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { RefusedError } from '../errors.js';
import { refuseAfterToday } from '../lib/checks.js';
import type { Op } from '../op.js';
import { uniqueActivationCode } from './activation.js';
import { addHistory } from './history.js';
import { getSubscription } from './lookup.js';
import { loadRecord, type SubscriptionRecord } from './records.js';
import { refuseCancelled } from './status.js';

/**
 * Records the payment and generates the activation code that the `remind` run delivers to the
 * subscription's manager as an `activation` notice due on paid_at. Paying twice is refused, and so is a
 * payment dated after today (as an invoice's).
 */
export async function paySubscription(db: Kysely<DB>, op: Op, key: string, paidAt: string = op.asOf): Promise<SubscriptionRecord> {
  const sub = await getSubscription(db, key);
  if (sub.paid_at !== null) {
    throw new RefusedError(`subscription ${sub.external_id} is already paid (paid_at ${sub.paid_at})`);
  }
  refuseCancelled(sub);
  refuseAfterToday('paid_at', paidAt, op.asOf);
  const code = await uniqueActivationCode(db);
  await db
    .updateTable('subscriptions')
    .set({ paid_at: paidAt, activation_code: code, updated_at: op.now })
    .where('id', '=', sub.id)
    .execute();
  await addHistory(db, op, sub.id, 'pay', { onDate: paidAt, amountCents: sub.price_cents });
  // the code itself stays out of the audit log: it is a credential for the customer's site
  await audit(db, op, {
    action: 'pay',
    entity: 'subscription',
    key: sub.external_id,
    before: { paid_at: null },
    after: { paid_at: paidAt, activation_code: 'generated' },
  });
  return loadRecord(db, sub.id, op.asOf);
}

/** Stops renewals and reminders; the subscription and its history stay. */
export async function cancelSubscription(db: Kysely<DB>, op: Op, key: string): Promise<SubscriptionRecord> {
  const sub = await getSubscription(db, key);
  if (sub.status === 'cancelled') throw new RefusedError(`subscription ${sub.external_id} is already cancelled`);
  await db.updateTable('subscriptions').set({ status: 'cancelled', updated_at: op.now }).where('id', '=', sub.id).execute();
  await addHistory(db, op, sub.id, 'cancel', { details: { previous_status: sub.status } });
  await audit(db, op, {
    action: 'cancel',
    entity: 'subscription',
    key: sub.external_id,
    before: { status: sub.status },
    after: { status: 'cancelled', on_date: op.asOf },
  });
  return loadRecord(db, sub.id, op.asOf);
}
