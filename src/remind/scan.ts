/**
 * The queries behind the due-notice computation. They select only the columns the schedule needs and
 * pre-filter by date bounds in SQL, because materializing rows is what costs time at scale; details
 * (names, codes, contact emails) are fetched afterwards by id for the notices that are really due.
 */
import { sql, type ExpressionBuilder, type Kysely } from '#kysely';
import { chunked, rowsByIds } from '../db/chunks.js';
import { arrayPages, rowBatches } from '../db/rows.js';
import { fetchedAhead } from '../lib/ahead.js';
import type { DB } from '../db/schema/index.js';
import { baseBounds } from './schedule.js';
import { isLocale, type Locale } from './templates.js';

/** Subscription base statuses that never get notices. */
const NOT_NOTIFIED = ['cancelled', 'trial'];
export interface AccountInfo {
  external_id: string;
  name: string;
  /** the account's locale when templates exist for it (bg-BG → bg), else null: the fallback applies */
  locale: Locale | null;
  tutor: boolean;
}

/** What counting needs of an account (countDue): that it is there, and whether it is a tutor's; no names. */
const COUNTED: Record<'tutor' | 'other', AccountInfo> = {
  tutor: { external_id: '', name: '', locale: null, tutor: true },
  other: { external_id: '', name: '', locale: null, tutor: false },
};

/**
 * Every account that is not deactivated with only what counting needs (two shared objects, no names or
 * codes): `report managers` counts the notices of 100,000 accounts without showing one.
 */
export async function loadCountedAccounts(db: Kysely<DB>): Promise<Map<number, AccountInfo>> {
  const out = new Map<number, AccountInfo>();
  const query = db.selectFrom('accounts').select(['id', 'type']).where('status', '!=', 'deactivated');
  for await (const rows of rowBatches(db, query)) for (const r of rows) out.set(r.id, COUNTED[r.type === 'tutor' ? 'tutor' : 'other']);
  return out;
}

/**
 * Accounts that are not deactivated (a deactivated account gets no notice of any kind): all of them,
 * or those of some subscriptions (the re-check of a few notices).
 */
export async function loadAccounts(db: Kysely<DB>, subscriptionIds?: readonly number[]): Promise<Map<number, AccountInfo>> {
  const query = () =>
    db.selectFrom('accounts').select(['id', 'external_id', 'name', 'locale', 'type']).where('status', '!=', 'deactivated');
  const out = new Map<number, AccountInfo>();
  // an account's locale as a template locale, worked out once per distinct value (a run reads every account)
  const locales = new Map<string | null, Locale | null>();
  const add = (id: number, externalId: string, name: string, locale: string | null, type: string) => {
    let known = locales.get(locale);
    if (known === undefined) locales.set(locale, (known = knownLocale(locale)));
    out.set(id, { external_id: externalId, name, locale: known, tutor: type === 'tutor' });
  };
  // streamed: every account at scale (100,000 rows), never all of them as rows at once; as arrays (no
  // row object beside the account's)
  if (subscriptionIds === undefined) {
    type Row = readonly [number, string, string, string | null, string];
    for await (const rows of arrayPages<Row>(db, query(), 'id')) for (const [id, e, n, l, t] of rows) add(id, e, n, l, t);
  }
  for (const chunk of subscriptionIds ? chunked(subscriptionIds) : []) {
    const rows = await query()
      .where('id', 'in', (eb) => eb.selectFrom('subscriptions').select('account_id').where('id', 'in', chunk))
      .execute();
    for (const r of rows) add(r.id, r.external_id, r.name, r.locale, r.type);
  }
  return out;
}

export async function loadNames(db: Kysely<DB>): Promise<{ products: Map<number, string>; plans: Map<number, string> }> {
  const products = await db.selectFrom('products').select(['id', 'name']).execute();
  const plans = await db.selectFrom('plans').select(['id', 'name']).execute();
  return { products: new Map(products.map((p) => [p.id, p.name])), plans: new Map(plans.map((p) => [p.id, p.name])) };
}

/** The columns of a subscription's row that every notice of it may show, whichever way it was read. */
const SUBSCRIPTION_COLUMNS = [
  's.id',
  's.external_id',
  's.account_id',
  's.product_id',
  's.plan_id',
  's.students',
  's.start_date',
  's.end_date',
  's.manager_id',
] as const;

function subscriptionColumns(db: Kysely<DB>) {
  return db
    .selectFrom('subscriptions as s')
    .select([...SUBSCRIPTION_COLUMNS, 's.paid_at', 's.activation_code'])
    .where('s.status', 'not in', NOT_NOTIFIED);
}

/**
 * A subscription's row read as an array (subscriptionColumns' columns in order; seatSubscriptionColumns'
 * too): a scan of many rows makes an object (subscriptionRow) only of those it keeps.
 */
export type SubscriptionArray = readonly [
  id: number,
  external_id: string,
  account_id: number,
  product_id: number,
  plan_id: number,
  students: number,
  start_date: string,
  end_date: string,
  manager_id: number | null,
  paid_at: string | null,
  activation_code: string | null,
];

export function subscriptionRow(a: SubscriptionArray): SubscriptionRow {
  return {
    id: a[0],
    external_id: a[1],
    account_id: a[2],
    product_id: a[3],
    plan_id: a[4],
    students: a[5],
    start_date: a[6],
    end_date: a[7],
    manager_id: a[8],
    paid_at: a[9],
    activation_code: a[10],
  };
}

/** Ids of subscriptions (all, or of these) that have a successor that is not cancelled (they get no renewal notices). */
export async function renewedIds(db: Kysely<DB>, subscriptionIds?: readonly number[]): Promise<Set<number>> {
  const successors = () =>
    db
      .selectFrom('subscriptions')
      .select(['id', 'renewed_from_id'])
      .where('renewed_from_id', 'is not', null)
      .where('status', '!=', 'cancelled');
  const out = new Set<number>();
  // every renewed subscription of a whole run (tens of thousands): as arrays, no object each
  if (subscriptionIds === undefined)
    for await (const rows of arrayPages<readonly [number, number]>(db, successors(), 'id'))
      for (const [, renewed] of rows) out.add(renewed);
  else
    for (const rows of await rowsByIds(subscriptionIds, (ids) => successors().where('renewed_from_id', 'in', ids!).execute()))
      for (const r of rows) out.add(r.renewed_from_id!);
  return out;
}

export type SubscriptionRow = Awaited<ReturnType<ReturnType<typeof subscriptionColumns>['executeTakeFirstOrThrow']>>;

/**
 * Subscriptions whose end date or payment date can make a renewal or activation stage sendable, a batch
 * at a time, as arrays (SubscriptionArray).
 */
export function renewalRows(db: Kysely<DB>, asOf: string) {
  return arrayPages<SubscriptionArray>(db, subscriptionColumns(db).where(renewalWindow(asOf)), 's.id');
}

/** A row of renewalDates as an array: id, account_id, end_date, paid_at, 1 when it has an activation code. */
export type RenewalDates = readonly [number, number, string, string | null, number];

/** renewalRows with only what the schedule needs (countDue, which needs no subscription's details). */
export function renewalDates(db: Kysely<DB>, asOf: string) {
  return db
    .selectFrom('subscriptions as s')
    .select([
      's.id',
      's.account_id',
      's.end_date',
      's.paid_at',
      sql<number>`case when s.activation_code is null then 0 else 1 end`.as('coded'),
    ])
    .where('s.status', 'not in', NOT_NOTIFIED)
    .where(renewalWindow(asOf));
}

function renewalWindow(asOf: string) {
  const renewal = baseBounds('renewal', asOf);
  const activation = baseBounds('activation', asOf);
  return (eb: ExpressionBuilder<DB & { s: DB['subscriptions'] }, 's'>) =>
    eb.or([
      eb.and([eb('s.end_date', '>=', renewal.lo), eb('s.end_date', '<=', renewal.hi)]),
      eb.and([eb('s.paid_at', '>=', activation.lo), eb('s.paid_at', '<=', activation.hi), eb('s.activation_code', 'is not', null)]),
    ]);
}

export async function subscriptionsById(db: Kysely<DB>, ids: readonly number[]): Promise<SubscriptionRow[]> {
  const out: SubscriptionRow[] = [];
  for (const chunk of chunked(ids)) out.push(...(await subscriptionColumns(db).where('s.id', 'in', chunk).execute()));
  return out;
}

/**
 * The subscriptions of dormant seats: only what a dormancy notice shows (no successor check, payment
 * or code), which halves the cost of a fetch that can cover most running subscriptions.
 */
function seatSubscriptionColumns(db: Kysely<DB>) {
  return db
    .selectFrom('subscriptions as s')
    .select(SUBSCRIPTION_COLUMNS)
    .select([sql<null>`null`.as('paid_at'), sql<null>`null`.as('activation_code')]);
}

/** seatSubscriptionColumns of these subscriptions, added to `into`. */
export async function seatSubscriptionsById(db: Kysely<DB>, ids: readonly number[], into: Map<number, SubscriptionRow>): Promise<void> {
  const rowsOf = (chunk: readonly number[]) => seatSubscriptionColumns(db).where('s.id', 'in', chunk).execute();
  // a few chunks asked for ahead of the one added: PostgreSQL looks them up meanwhile; into the map at
  // once, no list of them all in between
  for await (const [, rows] of fetchedAhead(chunked(ids)[Symbol.iterator](), rowsOf)) for (const r of rows) into.set(r.id, r);
}

/**
 * seatSubscriptionColumns of every subscription a seat can be dormant on (running on asOf, seatRows),
 * added to `into` where it holds none: one walk of the table, which a run makes while its dormant seats
 * are scanned beside it (what seatSubscriptionsById would look up afterwards, by id, is then at hand).
 */
export async function addRunningSubscriptions(db: Kysely<DB>, asOf: string, into: Map<number, SubscriptionRow>): Promise<void> {
  const running = seatSubscriptionColumns(db).where(runningOn(asOf));
  for await (const rows of arrayPages<SubscriptionArray>(db, running, 's.id'))
    for (const a of rows) if (!into.has(a[0])) into.set(a[0], subscriptionRow(a));
}

/** Subscriptions that get notices and run on asOf: those whose seats can be dormant. */
function runningOn(asOf: string) {
  // not (end_date < asOf): keeps SQLite off the end_date index, whose lookup per subscription not ended
  // cost 0.3 s against 0.08 s for the walk at 200,000, half running
  return (eb: ExpressionBuilder<DB & { s: DB['subscriptions'] }, 's'>) =>
    eb.and([eb('s.status', 'not in', NOT_NOTIFIED), eb('s.start_date', '<=', asOf), eb.not(eb('s.end_date', '<', asOf))]);
}

/**
 * A row of seatRows as an array: id, subscription_id, base (the date dormancy counts from), then, when
 * asked for, the contact's email and name (null when its row is gone).
 */
export type SeatRow = readonly [number, number, string | null, (string | null)?, (string | null)?];

/**
 * Seats that may be dormant on asOf: not removed, contact not removed, on a subscription running on
 * asOf (not cancelled or trial), whose stored last login (or invitation) date lies in the dormancy
 * bounds. The stored last_login_at is never earlier than the seat's latest login event (every writer of
 * events moves it forward; migration 0015 made it so for older data), so it alone is the last login: no
 * event is read. A sequential scan of seats with the date test first beat an expression index here
 * (random row access).
 */
export function seatRows(db: Kysely<DB>, asOf: string, ids?: readonly number[], withContacts = false) {
  // the columns in SeatRow's order (read as arrays)
  const { lo, hi } = baseBounds('dormancy', asOf);
  // on PostgreSQL migration 0017 keeps statistics on this very expression (the planner matches it by its text)
  const stored = sql<string | null>`coalesce(substr(se.last_login_at, 1, 10), se.invited_at)`;
  return (
    db
      .selectFrom('seats as se')
      .select(['se.id', 'se.subscription_id', stored.as('base')])
      // the contact's email and name read with its seat, where the scan runs (beside the rest of a run),
      // not looked up by id afterwards: ≈ 90,000 lookups the run would wait for
      .$if(withContacts, (q) => q.leftJoin('contacts as sc', 'sc.id', 'se.contact_id').select(['sc.email', 'sc.name']))
      // BETWEEN: the stored date worked out once per seat, not once per bound
      .where((eb) => eb.between(stored, lo, hi))
      .where('se.status', '!=', 'removed')
      // the whole scan: the running subscriptions' ids once, a list each seat is looked up in; a re-check of
      // some seats by id: each its own subscription (the list would be built again for every chunk). The
      // list from one walk of the table (runningOn)
      .where((eb) => {
        const running = eb.selectFrom('subscriptions as s').select('s.id').where(runningOn(asOf));
        return ids === undefined
          ? eb(sql<number>`+se.subscription_id`, 'in', running)
          : eb.exists(running.whereRef('s.id', '=', 'se.subscription_id'));
      })
      // the contact not removed: tested against the removed ones' ids (the partial index contacts_removed,
      // migration 0016), not by reading each seat's contact row
      .where('se.contact_id', 'not in', (eb) => eb.selectFrom('contacts as c').select('c.id').where('c.status', '=', 'removed'))
      .$if(ids !== undefined, (q) => q.where('se.id', 'in', ids!))
  );
}

/** The template locale an account's locale names (its language part: bg-BG → bg), or null. */
function knownLocale(locale: string | null): Locale | null {
  const language = locale?.toLowerCase().split(/[-_]/)[0];
  return isLocale(language) ? language : null;
}
