/** The subscription's own history (pay, renew, upgrade, cancel, reassign …), kept beside the audit log. */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { formatCents } from '../lib/fields.js';
import type { Op } from '../op.js';

export type HistoryEvent = 'add' | 'pay' | 'renew' | 'upgrade' | 'cancel' | 'reassign';

export async function addHistory(
  db: Kysely<DB>,
  op: Op,
  subscriptionId: number,
  event: HistoryEvent,
  entry: { onDate?: string; amountCents?: number | null; details?: Record<string, unknown> } = {},
): Promise<void> {
  await db
    .insertInto('subscription_history')
    .values({
      subscription_id: subscriptionId,
      at: op.now,
      on_date: entry.onDate ?? op.asOf,
      event,
      amount_cents: entry.amountCents ?? null,
      details_json: entry.details ? JSON.stringify(entry.details) : null,
      actor: op.actor,
    })
    .execute();
}

export interface HistoryRecord {
  on_date: string;
  event: string;
  amount: string | null;
  details: Record<string, unknown> | null;
  actor: string;
  at: string;
}

export async function listHistory(db: Kysely<DB>, subscriptionId: number): Promise<HistoryRecord[]> {
  const rows = await db
    .selectFrom('subscription_history')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    on_date: r.on_date,
    event: r.event,
    amount: r.amount_cents === null ? null : formatCents(r.amount_cents),
    details: r.details_json === null ? null : (JSON.parse(r.details_json) as Record<string, unknown>),
    actor: r.actor,
    at: r.at,
  }));
}
