/** The training record that `show --json`, lists, export and the audit log carry; rows ⇄ rule states. */
import type { Kysely } from '#kysely';
import { keyOf } from '../db/refs.js';
import type { DB } from '../db/schema/index.js';
import type { TrainingRow } from '../db/schema/trainings.js';
import { formatCents } from '../lib/fields.js';
import { trainingKey, type TrainingState } from './rules.js';

/** trainings with the keys of what they refer to; every read goes through it. */
export function trainingsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('trainings as t')
    .selectAll('t')
    .select([
      keyOf<string>('accounts', 't.account_id').as('account_external_id'),
      keyOf('subscriptions', 't.subscription_id').as('subscription_external_id'),
      keyOf('managers', 't.manager_id').as('manager_login'),
      keyOf('managers', 't.expert_id').as('expert_login'),
    ]);
}

export type TrainingWithRefs = Awaited<ReturnType<ReturnType<typeof trainingsQuery>['executeTakeFirstOrThrow']>>;

/** Exactly the CSV columns (dates a list, `;`-separated in CSV), null for absent; the others as stored. */
export interface TrainingRecord extends Pick<
  TrainingRow,
  'topic' | 'credits' | 'register_no' | 'format' | 'venue' | 'participants' | 'source' | 'currency' | 'status' | 'notes'
> {
  id: string;
  account_external_id: string;
  subscription_external_id: string | null;
  dates: string[];
  travel: boolean;
  price: string;
  manager_login: string | null;
  expert_login: string | null;
}

export function rowDates(r: Pick<TrainingRow, 'first_date' | 'second_date'>): string[] {
  return [r.first_date, r.second_date].filter((d): d is string => d !== null);
}

export function toTrainingRecord(r: TrainingWithRefs): TrainingRecord {
  return {
    id: trainingKey(r.number),
    account_external_id: r.account_external_id,
    subscription_external_id: r.subscription_external_id,
    topic: r.topic,
    credits: r.credits,
    register_no: r.register_no,
    format: r.format,
    venue: r.venue,
    participants: r.participants,
    dates: rowDates(r),
    travel: r.travel !== 0,
    source: r.source,
    price: formatCents(r.price_cents),
    currency: r.currency,
    manager_login: r.manager_login,
    expert_login: r.expert_login,
    status: r.status,
    notes: r.notes,
  };
}

/** The rules' view of a stored row. */
export function stateOfRow(r: Omit<TrainingRow, 'rev'>): TrainingState {
  return {
    credits: r.credits,
    register_no: r.register_no,
    format: r.format,
    venue: r.venue,
    dates: rowDates(r),
    travel: r.travel !== 0,
    source: r.source,
    price_cents: r.price_cents,
    currency: r.currency,
    status: r.status,
  };
}

/** The columns a state is stored in. */
export function stateColumns(s: TrainingState) {
  return {
    credits: s.credits,
    register_no: s.register_no,
    format: s.format,
    venue: s.venue,
    first_date: s.dates[0] ?? null,
    second_date: s.dates[1] ?? null,
    travel: s.travel ? 1 : 0,
    source: s.source,
    price_cents: s.price_cents,
    currency: s.currency,
    status: s.status,
  };
}
