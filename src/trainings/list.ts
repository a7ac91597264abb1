/** `trainings list`, `trainings calendar` and `trainings suggest` (cross-selling during renewals). */
import { sql, type Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import { checkDateRange, checkFilter } from '../lib/checks.js';
import { addDays, addMonths, boundDate, deriveDate } from '../lib/dates.js';
import { getManager } from '../managers/lookup.js';
import { checkMonth } from '../reports/months.js';
import type { Op } from '../op.js';
import { trainingField } from './fields.js';
import { rowDates, toTrainingRecord, trainingsQuery, type TrainingRecord } from './record.js';
import { trainingKey } from './rules.js';

export interface TrainingFilter {
  account?: string;
  manager?: string;
  status?: string;
  source?: string;
  /** trainings with a date in [from, to] (both included) */
  from?: string;
  to?: string;
}

/** By first date (trainings without dates last), then key. */
export async function listTrainings(db: Kysely<DB>, f: TrainingFilter = {}): Promise<TrainingRecord[]> {
  return collect(await trainingBatches(db, f));
}

/** listTrainings a batch at a time, nothing held beyond the batch; the filters checked before the first. */
export async function trainingBatches(db: Kysely<DB>, f: TrainingFilter = {}): Promise<AsyncIterable<TrainingRecord[]>> {
  const status = checkFilter(trainingField('status'), f.status);
  const source = checkFilter(trainingField('source'), f.source);
  const { from, to } = checkDateRange(f.from, f.to);
  let q = trainingsQuery(db)
    .orderBy(sql`t.first_date is null`)
    .orderBy('t.first_date')
    .orderBy('t.number');
  if (f.account !== undefined) q = q.where('t.account_id', '=', (await getAccount(db, f.account)).id);
  if (f.manager !== undefined) q = q.where('t.manager_id', '=', (await getManager(db, f.manager)).id);
  if (status !== undefined) q = q.where('t.status', '=', status);
  if (source !== undefined) q = q.where('t.source', '=', source);
  // either date in the range: the two dates of an online training need not be consecutive, so they are two days, not an interval
  if (from !== undefined || to !== undefined)
    q = q.where((eb) => {
      const inRange = (column: 't.first_date' | 't.second_date') =>
        eb.and([...(from !== undefined ? [eb(column, '>=', from)] : []), ...(to !== undefined ? [eb(column, '<=', to)] : [])]);
      return eb.or([inRange('t.first_date'), inRange('t.second_date')]);
    });
  return recordBatches(rowBatches(db, q), toTrainingRecord);
}

export interface CalendarEntry {
  date: string;
  id: string;
  account_external_id: string;
  topic: string;
  format: string | null;
  status: string;
}

/** YYYY-MM → its first and last day. */
function monthDays(month: string): [string, string] {
  const first = `${month}-01`;
  checkMonth('month', month);
  return [first, boundDate(() => addDays(addMonths(first, 1), -1))];
}

/** Day by day, the trainings on each date of the month (the as-of month by default); cancelled ones only with `all`. */
export async function trainingCalendar(db: Kysely<DB>, op: Op, o: { month?: string; all?: boolean } = {}): Promise<CalendarEntry[]> {
  const [first, last] = monthDays(o.month ?? op.asOf.slice(0, 7));
  let q = trainingsQuery(db).where((eb) => eb.or([eb.between('t.first_date', first, last), eb.between('t.second_date', first, last)]));
  if (!o.all) q = q.where('t.status', '!=', 'cancelled');
  const entries = (await q.execute()).flatMap((r) =>
    rowDates(r)
      .filter((date) => date >= first && date <= last)
      .map((date) => ({
        date,
        id: trainingKey(r.number),
        account_external_id: r.account_external_id,
        topic: r.topic,
        format: r.format,
        status: r.status,
        number: r.number,
      })),
  );
  entries.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.number - b.number));
  return entries.map(({ number: _n, ...e }) => e);
}

export interface Suggestion {
  account_external_id: string;
  account_name: string;
  manager_login: string | null;
  subscription_external_id: string;
  plan: string;
  end_date: string;
}

/**
 * Accounts with a subscription (not cancelled) ending in [as-of, as-of + within] and no training
 * delivered whose last date lies in the 12 months up to as-of: whom to offer a training with the renewal.
 */
export async function suggestTrainings(db: Kysely<DB>, op: Op, within = 42): Promise<Suggestion[]> {
  checkFilter({ name: 'within', type: 'int', min: 0 }, within);
  const until = deriveDate('within', within, 'as-of + within', () => addDays(op.asOf, within));
  const since = boundDate(() => addMonths(op.asOf, -12));
  const rows = await db
    .selectFrom('subscriptions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .leftJoin('managers as m', 'm.id', 'a.manager_id')
    .select(['a.external_id as account_external_id', 'a.name as account_name', 'm.login as manager_login'])
    .select(['s.external_id as subscription_external_id', 'p.code as plan', 's.end_date'])
    .where('s.status', '!=', 'cancelled')
    .where('s.end_date', '>=', op.asOf)
    .where('s.end_date', '<=', until)
    .where((outer) =>
      outer.not(
        outer.exists(
          outer
            .selectFrom('trainings as t')
            .select('t.id')
            .whereRef('t.account_id', '=', 'a.id')
            .where('t.status', '=', 'delivered')
            .where((eb) => eb(eb.fn.coalesce('t.second_date', 't.first_date'), '>', since))
            .where((eb) => eb(eb.fn.coalesce('t.second_date', 't.first_date'), '<=', op.asOf)),
        ),
      ),
    )
    .orderBy('s.end_date')
    .orderBy('a.external_id_key')
    .orderBy('s.external_id_key')
    .execute();
  return rows;
}
