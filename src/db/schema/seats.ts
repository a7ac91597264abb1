import type { Generated, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface SeatsTable extends ImportTracked {
  id: Generated<number>;
  subscription_id: number;
  contact_id: number;
  /** invited | active | removed */
  status: string;
  invited_at: string | null;
  last_login_at: string | null;
  /** the date the seat was removed (YYYY-MM-DD); null while it is not */
  removed_at: string | null;
  created_at: string;
  updated_at: string;
}
export type SeatRow = Selectable<SeatsTable>;
