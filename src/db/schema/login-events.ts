import type { Generated } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

export interface LoginEventsTable extends ImportTracked {
  id: Generated<number>;
  seat_id: number;
  at: string;
}
