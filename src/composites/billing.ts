/**
 * Where invoices and subscriptions meet, so both ways of recording a payment end in the same state:
 * - `invoices pay NUMBER`: the invoice is paid, and when its subscription is not yet paid (its first
 *   invoice), the subscription is paid as `subscriptions pay` does it (paid_at, activation code);
 * - `subscriptions pay S`: the subscription's first unpaid invoice is paid with it, issued first when the
 *   subscription has none.
 * The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { RefusedError } from '../errors.js';
import { refuseAfterToday } from '../lib/checks.js';
import { nextInvoiceNumber } from '../invoices/numbering.js';
import { invoicesQuery } from '../invoices/record.js';
import { getInvoice, issueForSubscription, markInvoicePaid, type InvoiceRecord } from '../invoices/service.js';
import type { Op } from '../op.js';
import { getSubscription } from '../subscriptions/lookup.js';
import { paySubscription } from '../subscriptions/payment.js';
import type { SubscriptionRecord } from '../subscriptions/records.js';

export async function payInvoice(db: Kysely<DB>, op: Op, key: string, paidOn: string = op.asOf): Promise<InvoiceRecord> {
  const row = await getInvoice(db, key);
  const record = await markInvoicePaid(db, op, row, paidOn);
  if (row.subscription_id !== null) {
    const sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', row.subscription_id).executeTakeFirstOrThrow();
    if (sub.paid_at === null && sub.status !== 'cancelled') await paySubscription(db, op, sub.external_id, paidOn);
  }
  return record;
}

/** The day an invoice issued for a payment carries: the payment's, unless an invoice of that year was issued later. */
async function issueDay(db: Kysely<DB>, op: Op, paidAt: string): Promise<string> {
  try {
    await nextInvoiceNumber(db, op, paidAt);
    return paidAt;
  } catch {
    return op.asOf;
  }
}

export async function paySubscriptionBilled(db: Kysely<DB>, op: Op, key: string, paidAt: string = op.asOf): Promise<SubscriptionRecord> {
  const sub = await getSubscription(db, key);
  if (sub.paid_at !== null) throw new RefusedError(`subscription ${sub.external_id} is already paid (paid_at ${sub.paid_at})`);
  // before an invoice is issued for it: issueDay takes any day it cannot issue on as today
  refuseAfterToday('paid_at', paidAt, op.asOf);
  const open = () =>
    invoicesQuery(db).where('i.subscription_id', '=', sub.id).where('i.status', 'in', ['issued', 'paid', 'planned']).execute();
  let invoices = await open();
  if (invoices.length === 0 && sub.status !== 'cancelled') {
    await issueForSubscription(db, op, sub.external_id, { on: await issueDay(db, op, paidAt) });
    invoices = await open();
  }
  const first = invoices.find((i) => i.status === 'issued');
  // an invoice issued after the payment it records (issued for it just now) is paid on its issue date
  if (first) await markInvoicePaid(db, op, first, first.issued_on! > paidAt ? first.issued_on! : paidAt, 'paid_at');
  return paySubscription(db, op, sub.external_id, paidAt);
}
