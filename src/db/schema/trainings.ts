import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export const TRAINING_FORMATS = ['onsite', 'offsite', 'online'] as const;
export const TRAINING_SOURCES = ['package', 'campaign', 'cross_sell', 'direct'] as const;
/** The steps in order; `cancelled` is reached from any step before `delivered`. */
export const TRAINING_STEPS = ['requested', 'confirmed', 'contract_requested', 'contract_sent', 'signed', 'delivered'] as const;
export const TRAINING_STATUSES = [...TRAINING_STEPS, 'cancelled'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

export interface TrainingsTable extends ImportTracked {
  id: Generated<number>;
  /** the key: TRN-000001 is number 1 */
  number: number;
  account_id: number;
  /** the subscription it came with (a package training), if any */
  subscription_id: number | null;
  topic: string;
  credits: number;
  register_no: string | null;
  /** one of TRAINING_FORMATS */
  format: string | null;
  venue: string | null;
  participants: number;
  /** the training days, YYYY-MM-DD; second_date null for one day */
  first_date: string | null;
  second_date: string | null;
  travel: number;
  /** one of TRAINING_SOURCES */
  source: string;
  price_cents: number;
  currency: string | null;
  manager_id: number | null;
  /** the manager (training expert) who confirmed it */
  expert_id: number | null;
  /** one of TRAINING_STATUSES */
  status: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
}
export type TrainingRow = Selectable<TrainingsTable>;

/** One step a training took: its status, the day and who took it. */
export interface TrainingStepsTable {
  id: Generated<number>;
  training_id: number;
  status: string;
  on_date: string;
  actor: string;
  created_at: string;
}
