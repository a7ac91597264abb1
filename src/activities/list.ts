/** `activities list`: newest first, filtered. */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { checkDateRange, checkFilter } from '../lib/checks.js';
import { addDays, boundDate } from '../lib/dates.js';
import { getManager } from '../managers/lookup.js';
import { ACTIVITY_FIELDS } from './fields.js';
import { activitiesQuery, toActivityRecord, type ActivityRecord } from './record.js';

export interface ActivityFilter {
  account?: string;
  manager?: string;
  kind?: string;
  status?: string;
  /** calendar dates (UTC), both included */
  from?: string;
  to?: string;
  /** only sessions recorded past a fair-use limit */
  overrides?: boolean;
}

const spec = (name: string) => ACTIVITY_FIELDS.find((f) => f.name === name)!;

export async function listActivities(db: Kysely<DB>, f: ActivityFilter = {}): Promise<ActivityRecord[]> {
  return collect(await activityBatches(db, f));
}

/** listActivities a batch at a time, nothing held beyond the batch; the filters checked before the first. */
export async function activityBatches(db: Kysely<DB>, f: ActivityFilter = {}): Promise<AsyncIterable<ActivityRecord[]>> {
  const kind = checkFilter(spec('kind'), f.kind);
  const status = checkFilter(spec('status'), f.status);
  const { from, to } = checkDateRange(f.from, f.to);
  let q = activitiesQuery(db).orderBy('t.at', 'desc').orderBy('t.number', 'desc');
  if (f.account !== undefined) q = q.where('t.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.manager !== undefined) q = q.where('t.manager_id', '=', (await getManager(db, f.manager)).id);
  if (kind !== undefined) q = q.where('t.kind', '=', kind);
  if (status !== undefined) q = q.where('t.status', '=', status);
  if (from !== undefined) q = q.where('t.at', '>=', `${from}T00:00:00Z`);
  if (to !== undefined) q = q.where('t.at', '<', `${boundDate(() => addDays(to, 1))}T00:00:00Z`);
  if (f.overrides) q = q.where('t.override_reason', 'is not', null);
  return recordBatches(rowBatches(db, q), toActivityRecord);
}
