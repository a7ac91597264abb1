/**
 * `report managers`: who carries which load on the as-of date, one row per manager (by login):
 * - accounts: the accounts they manage;
 * - running: subscriptions they are the manager of whose term covers the date (not cancelled);
 * - renewals_6w: of those (stored status active), the ones ending within the next 6 weeks (the date
 *   and the 42 days after it, the window of the renewal-6w notice);
 * - notices_due: the notices `acctmgr remind` would send on the date that are addressed to them after
 *   leave routing (a manager on leave has none; their backup has theirs);
 * - overdue: their planned activities dated before the day;
 * - on_leave, covered_by: whether a leave covers the date, and who receives what is addressed to them.
 */
import { sql, type Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { fieldsOf } from '../output/fields.js';
import { addDays } from '../lib/dates.js';
import { resolveRecipient } from '../managers/leave.js';
import { displayedStatus, managersOnLeave } from '../managers/leave.js';
import { countDue } from '../remind/due.js';

export interface ManagerLoadRow {
  login: string;
  name: string;
  status: string;
  accounts: number;
  running: number;
  renewals_6w: number;
  notices_due: number;
  overdue: number;
  on_leave: boolean;
  covered_by: string | null;
}

/** Every field, in CSV and JSON order: an empty report's CSV is this header line. */
export const MANAGERS_FIELDS = fieldsOf<ManagerLoadRow>()([
  'login',
  'name',
  'status',
  'accounts',
  'running',
  'renewals_6w',
  'notices_due',
  'overdue',
  'on_leave',
  'covered_by',
]);
/** The table's columns: every field but `status` (`on_leave` says what a table needs of it). */
export const MANAGERS_COLUMNS = MANAGERS_FIELDS.filter((f) => f !== 'status');

/** The window of the renewal-6w notice, in days after the as-of date. */
export const RENEWAL_WINDOW_DAYS = 42;

type Counts = Map<number, number>;

function counted(rows: readonly { id: number | null; n: number | string | bigint }[]): Counts {
  return new Map(rows.filter((r) => r.id !== null).map((r) => [r.id!, Number(r.n)]));
}

export async function managersReport(db: Kysely<DB>, asOf: string): Promise<ManagerLoadRow[]> {
  const managers = await db.selectFrom('managers').select(['id', 'login', 'name', 'status']).orderBy('login').execute();
  const accounts = counted(
    await db
      .selectFrom('accounts')
      .select(['manager_id as id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('manager_id')
      .execute(),
  );
  // one walk of the table, the groups sorted after: not every subscription walked in manager order through
  // its index with a table lookup each (+manager_id; 0.45 s at 200,000), nor the end_date index with a
  // lookup per subscription not ended (not (end_date < asOf): 0.27–0.5 s when half of them run, against
  // 0.07–0.09 s for the walk in the sqlite3 shell)
  const running = counted(
    await db
      .selectFrom('subscriptions')
      .select([sql<number | null>`+manager_id`.as('id'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '!=', 'cancelled')
      .where('start_date', '<=', asOf)
      .where((eb) => eb.not(eb('end_date', '<', asOf)))
      .groupBy(sql`+manager_id`)
      .execute(),
  );
  const renewals = counted(
    await db
      .selectFrom('subscriptions')
      .select(['manager_id as id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'active')
      .where('end_date', '>=', asOf)
      .where('end_date', '<=', addDays(asOf, RENEWAL_WINDOW_DAYS))
      .groupBy('manager_id')
      .execute(),
  );
  const overdue = counted(
    await db
      .selectFrom('activities')
      .select(['manager_id as id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'planned')
      .where('at', '<', `${asOf}T00:00:00Z`)
      .groupBy('manager_id')
      .execute(),
  );
  const due = new Map<string, number>();
  for (const c of (await countDue(db, asOf)).values()) due.set(c.login, (due.get(c.login) ?? 0) + c.count);
  const onLeave = await managersOnLeave(db, asOf);
  const out: ManagerLoadRow[] = [];
  for (const m of managers) {
    const leave = onLeave.has(m.id);
    out.push({
      login: m.login,
      name: m.name,
      status: displayedStatus(m.status, leave),
      accounts: accounts.get(m.id) ?? 0,
      running: running.get(m.id) ?? 0,
      renewals_6w: renewals.get(m.id) ?? 0,
      notices_due: due.get(m.login) ?? 0,
      overdue: overdue.get(m.id) ?? 0,
      on_leave: leave,
      covered_by: leave ? (await resolveRecipient(db, m.id, asOf)).login : null,
    });
  }
  return out;
}
