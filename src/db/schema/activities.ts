import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

/** Kinds of activity (the work log). */
export const ACTIVITY_KINDS = ['call', 'email', 'meeting', 'web_session', 'training_session', 'note', 'task'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;

export interface ActivitiesTable extends ImportTracked {
  id: Generated<number>;
  /** the key: ACT-000001 is number 1 */
  number: number;
  account_id: number;
  /** one of ACTIVITY_KINDS */
  kind: string;
  subject: string;
  notes: string | null;
  contact_id: number | null;
  manager_id: number | null;
  /** UTC timestamp YYYY-MM-DDTHH:MM:SSZ */
  at: string;
  duration_minutes: number | null;
  /** one of ACTIVITY_STATUSES */
  status: string;
  outcome: string | null;
  /** activities.id of the activity this one follows */
  follow_up_of: number | null;
  override_reason: string | null;
  created_at: string;
  updated_at: string;
}
export type ActivityRow = Selectable<ActivitiesTable>;
