import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export const REQUEST_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** In order: a request moves forward through them; close and reopen are the other moves. */
export const REQUEST_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface RequestsTable extends ImportTracked {
  id: Generated<number>;
  /** the key: REQ-000001 is number 1 */
  number: number;
  account_id: number;
  contact_id: number;
  subject: string;
  description: string | null;
  priority: string;
  status: string;
  created_by_id: number | null;
  created_at: string;
  updated_at: string;
}
export type RequestRow = Selectable<RequestsTable>;
