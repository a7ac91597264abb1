/**
 * `invoices issue --training TRN-000001`: a training billed at its price, in its currency, on one line
 * (topic, format, dates, participants), for the school year of its first day (of the issue date while it
 * has no dates). A training that came with a package (price 0), one without a price, a cancelled one and
 * one already billed by an invoice that is not void are refused. The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { RefusedError } from '../errors.js';
import { addDays, deriveDate } from '../lib/dates.js';
import type { Op } from '../op.js';
import { rowDates } from '../trainings/record.js';
import { trainingKey } from '../trainings/rules.js';
import { getTraining } from '../trainings/service.js';
import { nextInvoiceNumber } from './numbering.js';
import type { InvoiceRecord } from './record.js';
import { schoolYear } from './rules.js';
import { dueDaysOf, insertInvoice, oneLine, refuseBilled, type IssueOptions } from './service.js';

type Training = Awaited<ReturnType<typeof getTraining>>;

/** What a training's invoice line says: `Training: TOPIC, FORMAT, DATES, N participants (TRN-000001)`. */
export function describeTraining(t: Training): string {
  const dates = rowDates(t);
  const parts = [
    `Training: ${t.topic}`,
    ...(t.format !== null ? [t.format] : []),
    ...(dates.length > 0 ? [dates.join(' – ')] : []),
    `${t.participants} ${t.participants === 1 ? 'participant' : 'participants'}`,
  ];
  return `${parts.join(', ')} (${trainingKey(t.number)})`;
}

/**
 * Why no invoice ever bills a training, or undefined: one that came with a package (price 0) is paid for
 * by its subscription. Also the rule for imported invoices, whose history may bill a training that was
 * cancelled or repriced later (trainingBillProblem's other reasons hold for new invoices only).
 */
export function trainingNeverBilled(t: Pick<Training, 'number' | 'source' | 'subscription_external_id'>): string | undefined {
  if (t.source !== 'package') return undefined;
  const sub = t.subscription_external_id ? ` with subscription ${t.subscription_external_id}` : '';
  return `training ${trainingKey(t.number)} came with a package${sub} (price 0): it is not billed`;
}

/** Why a training is not billed now, or undefined when it may be. */
export function trainingBillProblem(
  t: Pick<Training, 'number' | 'source' | 'price_cents' | 'status' | 'subscription_external_id'>,
): string | undefined {
  const key = trainingKey(t.number);
  const never = trainingNeverBilled(t);
  if (never !== undefined) return never;
  if (t.status === 'cancelled') return `training ${key} is cancelled: a cancelled training is not billed`;
  if (t.price_cents === 0)
    return `training ${key} has no price (0.00): nothing to bill (set one with: acctmgr trainings edit ${key} --price AMOUNT --currency CODE)`;
  return undefined;
}

export async function issueForTraining(db: Kysely<DB>, op: Op, key: string, o: IssueOptions = {}): Promise<InvoiceRecord> {
  const t = await getTraining(db, key);
  const problem = trainingBillProblem(t);
  if (problem !== undefined) throw new RefusedError(problem);
  const name = trainingKey(t.number);
  await refuseBilled(db, 'training', t.id, name);
  const due = await dueDaysOf(db, o.dueDays);
  const n = await nextInvoiceNumber(db, op, o.on ?? op.asOf);
  return insertInvoice(db, op, {
    ...n,
    account_id: t.account_id,
    training_id: t.id,
    period: schoolYear(t.first_date ?? n.issued_on),
    lines_json: oneLine(describeTraining(t), t.price_cents),
    amount_cents: t.price_cents,
    // a priced training has a currency (src/trainings/rules.ts)
    currency: t.currency ?? '',
    due_on: deriveDate('due_days', due, 'the due date', () => addDays(n.issued_on, due)),
    status: 'issued',
  });
}
