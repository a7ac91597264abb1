/**
 * Seat operations that reach the contacts: inviting a teacher creates the contact when it is new, and a
 * login moves the contact's last login too. The caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { addContact, findContact, touchLastLogin } from '../contacts/service.js';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { checkFields } from '../lib/checks.js';
import type { Op } from '../op.js';
import { SEAT_FIELDS } from '../seats/fields.js';
import { defaultLoginAt, removedContactSeatRule } from '../seats/rules.js';
import type { SeatRecord } from '../seats/records.js';
import { auditLogin, getSeat, inviteSeat, loginSeat } from '../seats/service.js';
import { getSubscription } from '../subscriptions/lookup.js';
import { refuseCancelled } from '../subscriptions/status.js';

export interface AddSeatInput {
  email: string;
  subscription: string;
  /** the contact's name, used only when the contact is created */
  name?: string;
  invited_at?: string;
}

/** The manager invites a teacher: the contact is created (role teacher, invited) when new. */
export async function addSeat(db: Kysely<DB>, op: Op, input: AddSeatInput): Promise<SeatRecord> {
  const v = checkFields(SEAT_FIELDS, { email: input.email, invited_at: input.invited_at });
  const email = v.email as string;
  const invitedAt = (v.invited_at as string | null | undefined) ?? op.asOf;
  const sub = await getSubscription(db, input.subscription);
  refuseCancelled(sub, ': it takes no new seats');
  const account = await db.selectFrom('accounts').select(['id', 'external_id']).where('id', '=', sub.account_id).executeTakeFirstOrThrow();
  let contact = await findContact(db, email, account.external_id);
  if (!contact) {
    await addContact(db, op, { account_external_id: account.external_id, email, name: input.name, role: 'teacher', invited_at: invitedAt });
    contact = (await findContact(db, email, account.external_id))!;
  } else {
    // a removed seat is invited again, a live one is a duplicate (inviteSeat): either way no new live seat
    const rule = removedContactSeatRule(contact, account.external_id, undefined, 'invited');
    if (rule !== undefined) throw invalid('email', email, rule);
  }
  // the stored spelling names the seat (audit key, messages), as remove and login name it
  return inviteSeat(db, op, sub, { id: contact.id, email: contact.email }, invitedAt);
}

/**
 * Records a login event (the usage record; the same timestamp twice is one event), sets the seat
 * active and moves its and the contact's last_login_at forward, never back. Without a time the login
 * is now; "now" belongs to the as-of date, so when that is not today the login is at its start
 * (defaultLoginAt).
 */
export async function recordLogin(db: Kysely<DB>, op: Op, email: string, subscription: string, atRaw?: string): Promise<SeatRecord> {
  const given = atRaw ?? defaultLoginAt(op);
  const at = checkFields([{ name: 'at', type: 'timestamp' }], { at: given }).at as string;
  const { sub, seat } = await getSeat(db, email, subscription);
  const { record, changed } = await loginSeat(db, op, sub, seat, at);
  if (!changed) return record;
  await touchLastLogin(db, op, seat.contact_id, at);
  await auditLogin(db, op, sub, seat, record, at);
  return record;
}
