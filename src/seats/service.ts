/**
 * Seats: a contact's user account on one subscription, addressed as EMAIL + subscription. Plain
 * functions over Kysely; the caller owns the transaction. Removing keeps the row (history).
 */
import type { Kysely } from '#kysely';
import { getAccount } from '../accounts/lookup.js';
import { audit } from '../audit/audit.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import type { SubscriptionRow } from '../db/schema/subscriptions.js';
import { ConflictError, NotFoundError, RefusedError } from '../errors.js';
import { checkFields, checkFilter } from '../lib/checks.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import { getSubscription } from '../subscriptions/lookup.js';
import { SEAT_FIELDS } from './fields.js';
import { seatKey, seatsQuery, toSeatRecord, type JoinedSeat, type SeatRecord } from './records.js';
import { isIdleSince, laterTimestamp } from './rules.js';

export type { SeatRecord } from './records.js';

const spec = (name: string) => SEAT_FIELDS.filter((f) => f.name === name);

async function seatRecord(db: Kysely<DB>, seatId: number): Promise<SeatRecord> {
  return toSeatRecord(await seatsQuery(db).where('st.id', '=', seatId).executeTakeFirstOrThrow());
}

/** The seat of EMAIL on SUB (the contact is looked up in the subscription's account). */
export async function getSeat(db: Kysely<DB>, emailRaw: string, subscription: string) {
  const { email } = checkFields(spec('email'), { email: emailRaw }) as { email: string };
  const sub = await getSubscription(db, subscription);
  const bySub = seatsQuery(db).where('st.subscription_id', '=', sub.id).where('c.email_key', '=', foldKey(email));
  // the seat of the subscription's account's contact: a removed seat of a contact moved since is its history, not
  // this seat; a live one of another account's contact (written before moves were checked; db check reports it)
  // is still found, so that it can be removed
  const seat =
    (await bySub.where('c.account_id', '=', sub.account_id).executeTakeFirst()) ??
    (await bySub.where('st.status', '!=', 'removed').executeTakeFirst());
  if (!seat)
    throw new NotFoundError(
      'seat',
      seatKey(sub.external_id, email),
      `list seats with: acctmgr seats list --subscription ${sub.external_id}`,
    );
  return { sub, seat };
}

/**
 * The seat of CONTACT on SUB, invited on INVITED_AT: a new one, or a removed one invited again; refused
 * while the contact has a seat there. (src/composites/seats.ts finds or creates the contact.)
 */
export async function inviteSeat(
  db: Kysely<DB>,
  op: Op,
  sub: SubscriptionRow,
  contact: { id: number; email: string },
  invitedAt: string,
): Promise<SeatRecord> {
  const existing = await db
    .selectFrom('seats')
    .selectAll()
    .where('subscription_id', '=', sub.id)
    .where('contact_id', '=', contact.id)
    .executeTakeFirst();
  if (existing && existing.status !== 'removed') {
    throw new ConflictError(`${contact.email} already has a seat on subscription ${sub.external_id} (${existing.status})`);
  }
  let seatId: number;
  if (existing) {
    await db
      .updateTable('seats')
      .set({ status: 'invited', invited_at: invitedAt, removed_at: null, updated_at: op.now })
      .where('id', '=', existing.id)
      .execute();
    seatId = existing.id;
  } else {
    const row = await db
      .insertInto('seats')
      .values({
        subscription_id: sub.id,
        contact_id: contact.id,
        status: 'invited',
        invited_at: invitedAt,
        last_login_at: null,
        created_at: op.now,
        updated_at: op.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    seatId = row.id;
  }
  const record = await seatRecord(db, seatId);
  await audit(db, op, {
    action: 'add',
    entity: 'seat',
    key: seatKey(sub.external_id, contact.email),
    before: existing ? { status: 'removed' } : undefined,
    after: record,
  });
  return record;
}

/** Deletes the access; the seat row and its logins stay as history. */
export async function removeSeat(db: Kysely<DB>, op: Op, email: string, subscription: string): Promise<SeatRecord> {
  const { sub, seat } = await getSeat(db, email, subscription);
  if (seat.status === 'removed') throw new RefusedError(`the seat of ${seat.email} on ${sub.external_id} is already removed`);
  // removed_at: the as-of date, the day the removal counts from in the usage report
  await db.updateTable('seats').set({ status: 'removed', removed_at: op.asOf, updated_at: op.now }).where('id', '=', seat.id).execute();
  const record = await seatRecord(db, seat.id);
  await audit(db, op, {
    action: 'remove',
    entity: 'seat',
    key: seatKey(sub.external_id, seat.email),
    before: toSeatRecord(seat),
    after: { status: 'removed' },
  });
  return record;
}

/**
 * A login event on the seat (the same timestamp twice is one event): the seat becomes active and its
 * last_login_at moves forward, never back. `changed`: anything was written; then the caller moves the
 * contact's last login (src/composites/seats.ts) and audits with auditLogin.
 */
export async function loginSeat(
  db: Kysely<DB>,
  op: Op,
  sub: SubscriptionRow,
  seat: JoinedSeat,
  at: string,
): Promise<{ record: SeatRecord; changed: boolean }> {
  if (seat.status === 'removed') throw new RefusedError(`the seat of ${seat.email} on ${sub.external_id} is removed: it has no access`);
  const inserted = await db
    .insertInto('login_events')
    .values({ seat_id: seat.id, at })
    .onConflict((oc) => oc.columns(['seat_id', 'at']).doNothing())
    .executeTakeFirst();
  const last = laterTimestamp(seat.last_login_at, at);
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0 && seat.status === 'active' && last === seat.last_login_at) {
    return { record: toSeatRecord(seat), changed: false };
  }
  await db.updateTable('seats').set({ status: 'active', last_login_at: last, updated_at: op.now }).where('id', '=', seat.id).execute();
  return { record: await seatRecord(db, seat.id), changed: true };
}

export async function auditLogin(
  db: Kysely<DB>,
  op: Op,
  sub: SubscriptionRow,
  seat: JoinedSeat,
  record: SeatRecord,
  at: string,
): Promise<void> {
  await audit(db, op, {
    action: 'login',
    entity: 'seat',
    key: seatKey(sub.external_id, seat.email),
    before: { status: seat.status, last_login_at: toSeatRecord(seat).last_login_at },
    after: { status: record.status, last_login_at: record.last_login_at, at },
  });
}

export interface SeatFilter {
  subscription?: string;
  account?: string;
  /** no login on or after this date (never logged in: counted from invited_at) */
  idleSince?: string;
  /** default: every seat that is not removed */
  status?: string;
}

export async function listSeats(db: Kysely<DB>, f: SeatFilter = {}): Promise<SeatRecord[]> {
  return collect((await seatBatches(db, f)).batches);
}

/**
 * listSeats a batch at a time, nothing held beyond the batch (a million seats are a few subscriptions' worth
 * at the tool's scale), and the status filter as checked (`removed`: the removed ones only). The filter is
 * checked before the first batch: a subscription or account that does not exist is not found (exit 1).
 */
export async function seatBatches(
  db: Kysely<DB>,
  f: SeatFilter = {},
): Promise<{ status: string | undefined; batches: AsyncIterable<SeatRecord[]> }> {
  const status = checkFilter(spec('status')[0]!, f.status);
  let q = seatsQuery(db).orderBy('s.external_id_key').orderBy('c.email_key');
  if (f.subscription !== undefined) q = q.where('st.subscription_id', '=', (await getSubscription(db, f.subscription)).id);
  if (f.account !== undefined) q = q.where('s.account_id', '=', (await getAccount(db, f.account)).id);
  q = status ? q.where('st.status', '=', status) : q.where('st.status', '!=', 'removed');
  const idle = f.idleSince;
  return { status, batches: recordBatches(rowBatches(db, q), toSeatRecord, idle ? (r) => isIdleSince(r, idle) : undefined) };
}
