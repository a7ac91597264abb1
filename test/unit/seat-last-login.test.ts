/**
 * A seat's stored last_login_at is never earlier than its latest login event (the dormancy rules read
 * it alone): migration 0015 makes it so for older data, and every writer of events keeps it so.
 */
import { describe, expect, it } from 'vitest';
import type { Kysely } from '#kysely';
import { addSeat, recordLogin } from '../../src/composites/seats.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { renewalsReport } from '../../src/reports/renewals.js';
import type { DB } from '../../src/db/schema/index.js';
import { dbMigratedTo, eachTestDb, removeDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';
import { undoBatch } from '../../src/import/undo.js';
import { seeder } from '../helpers/seed.js';

const NOW = '2026-01-01T00:00:00Z';

/** Seats whose stored last login is earlier than one of their events (or missing while they have one). */
async function behind(db: Kysely<DB>): Promise<number[]> {
  const rows = await db
    .selectFrom('seats as se')
    .select('se.id')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('login_events as le')
          .select('le.seat_id')
          .whereRef('le.seat_id', '=', 'se.id')
          .where((w) => w.or([w('se.last_login_at', 'is', null), w('le.at', '>', w.ref('se.last_login_at'))])),
      ),
    )
    .orderBy('se.id')
    .execute();
  return rows.map((r) => Number(r.id));
}

describe('migration 0015: a seat’s last_login_at is its latest login or later', () => {
  it('moves a stored last login forward to the latest event, never back', async () => {
    const h = await dbMigratedTo('0014_invoice_training');
    try {
      const seed = seeder(h.db);
      const account = await seed.account('A');
      const sub = await seed.subscription('S-1', { account, start_date: '2026-01-01', end_date: '2026-12-31' });
      const seat = async (n: number, last: string | null) =>
        seed.seat(sub, await seed.contact(account, `t${n}@a.example`), { last_login_at: last });
      // events stored the way a tool other than acctmgr might: without moving the seat's last login
      const event = (seatId: number, at: string) => h.db.insertInto('login_events').values({ seat_id: seatId, at }).execute();
      const never = await seat(1, null);
      const earlier = await seat(2, '2026-02-01T10:00:00Z');
      const unknown = await seat(3, null);
      const later = await seat(4, '2026-09-09T09:00:00Z');
      await event(earlier, '2026-01-20T08:00:00Z');
      await event(earlier, '2026-03-05T23:30:00Z');
      await event(unknown, '2026-04-01T07:00:00Z');
      await event(unknown, '2026-02-01T07:00:00Z');
      await event(later, '2026-05-05T05:00:00Z');
      expect(await behind(h.db)).toEqual([earlier, unknown]);
      // not a fault while the migration that catches them up is pending
      expect((await checkDatabase(h)).last_logins_behind).toEqual([]);

      expect(await migrateToLatest(h.db)).toEqual([
        '0015_seat_last_login',
        '0016_contacts_removed',
        '0017_seat_base_statistics',
        '0018_audit_actor_trigger',
      ]);
      const rows = await h.db.selectFrom('seats').select(['id', 'last_login_at']).orderBy('id').execute();
      expect(rows.map((r) => [Number(r.id), r.last_login_at])).toEqual([
        [never, null],
        [earlier, '2026-03-05T23:30:00Z'],
        [unknown, '2026-04-01T07:00:00Z'],
        [later, '2026-09-09T09:00:00Z'],
      ]);
      expect(await behind(h.db)).toEqual([]);
      expect(await checkDatabase(h)).toMatchObject({ ok: true, last_logins_behind: [] });
      // from then on `db check` reports a seat left behind by a writer other than acctmgr
      await event(never, '2026-06-01T06:00:00Z');
      expect(await checkDatabase(h)).toMatchObject({
        ok: false,
        last_logins_behind: [{ seat_id: never, last_login_at: null, latest_event: '2026-06-01T06:00:00Z' }],
      });
    } finally {
      await h.close();
      await removeDb(h.path);
    }
  });
});

describe('every writer of login events keeps last_login_at at the latest event or later', () => {
  const op = testOp({ asOf: '2026-03-31' });
  const t = eachTestDb(async () => {
    await t.seed.seatSet(op);
    await addSeat(t.db, op, { email: 'a@school.example', subscription: 'S1' });
    await addSeat(t.db, op, { email: 'b@school.example', subscription: 'S1' });
  });
  const last = async (email: string) =>
    (
      await t.db
        .selectFrom('seats as se')
        .innerJoin('contacts as c', 'c.id', 'se.contact_id')
        .select('se.last_login_at')
        .where('c.email', '=', email)
        .executeTakeFirstOrThrow()
    ).last_login_at;

  it('seats login, the logins import and the seats import, in any order of times', async () => {
    await recordLogin(t.db, op, 'a@school.example', 'S1', '2026-03-10T10:00:00Z');
    await recordLogin(t.db, op, 'a@school.example', 'S1', '2026-02-01T10:00:00Z');
    expect(await last('a@school.example')).toBe('2026-03-10T10:00:00Z');
    const imp = new Importer(t);
    const logins =
      'subscription_external_id,email,at\nS1,b@school.example,2026-03-01T08:00:00Z\nS1,b@school.example,2026-02-01T08:00:00Z\nS1,a@school.example,2026-03-20T08:00:00Z\n';
    expect((await imp.run('logins', logins, {}, op)).failed).toBeFalsy();
    expect(await last('b@school.example')).toBe('2026-03-01T08:00:00Z');
    expect(await last('a@school.example')).toBe('2026-03-20T08:00:00Z');
    // a seats import with an older last login keeps the later one
    const seats = 'subscription_external_id,email,last_login_at\nS1,b@school.example,2026-01-30T08:00:00Z\n';
    expect((await imp.run('seats', seats, {}, op)).failed).toBeFalsy();
    expect(await last('b@school.example')).toBe('2026-03-01T08:00:00Z');
    expect(await behind(t.db)).toEqual([]);
  });
});

describe('the logins import of a feed: last logins moved in batches of 500', () => {
  const op = testOp({ asOf: '2026-03-31' });
  const t = eachTestDb(async () => t.seed.seatSet(op));
  const SEATS = 1100;

  it('moves each seat and contact forward to its latest event and never back, across batches; undo puts every one back', async () => {
    const imp = new Importer(t);
    const email = (i: number) => `t${i}@school.example`;
    const contacts = Array.from({ length: SEATS }, (_, i) => `SCH-1,Teacher ${i},${email(i)},teacher`);
    expect((await imp.run('contacts', `account_external_id,name,email,role\n${contacts.join('\n')}\n`, {}, op)).failed).toBeFalsy();
    // even seats logged in later than the feed's events already, odd ones earlier, every tenth never
    const stored = (i: number) => (i % 10 === 9 ? '' : i % 2 === 0 ? '2026-03-25T07:00:00Z' : '2026-01-20T07:00:00Z');
    const seats = Array.from({ length: SEATS }, (_, i) => `S1,${email(i)},active,2026-01-15,${stored(i)}`);
    const seated = await imp.run('seats', `subscription_external_id,email,status,invited_at,last_login_at\n${seats.join('\n')}\n`, {}, op);
    expect(seated.errors).toEqual([]);
    const state = async () =>
      (
        await t.db
          .selectFrom('seats as se')
          .innerJoin('contacts as c', 'c.id', 'se.contact_id')
          .select(['c.email', 'se.last_login_at as seat', 'c.last_login_at as contact', 'se.rev as seat_rev', 'c.rev as contact_rev'])
          .orderBy('se.id')
          .execute()
      ).map((r) => ({ ...r, seat_rev: Number(r.seat_rev), contact_rev: Number(r.contact_rev) }));
    const before = await state();
    const event = (i: number) => `2026-03-10T08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    const events = Array.from({ length: SEATS }, (_, i) => `S1,${email(i)},${event(i)}`);
    // seat 1 twice: its later event counts
    events.push(`S1,${email(1)},2026-03-11T09:00:00Z`);
    const out = await imp.run('logins', `subscription_external_id,email,at\n${events.join('\n')}\n`, {}, op);
    expect(out.errors).toEqual([]);
    expect(out.summary).toMatchObject({ inserted: SEATS + 1, unchanged: 0 });
    const after = await state();
    for (const [i, r] of after.entries()) {
      const latest = i === 1 ? '2026-03-11T09:00:00Z' : event(i);
      const was = before[i]!;
      const moves = (last: string | null) => last === null || last < latest;
      expect({ i, seat: r.seat, contact: r.contact }).toEqual({
        i,
        seat: moves(was.seat) ? latest : was.seat,
        contact: moves(was.contact) ? latest : was.contact,
      });
    }
    expect(await behind(t.db)).toEqual([]);
    // the same file again: every event stored, nothing moves
    const again = await imp.run('logins', `subscription_external_id,email,at\n${events.join('\n')}\n`, {}, op);
    expect(again.summary).toMatchObject({ inserted: 0, unchanged: SEATS + 1 });
    expect(await state()).toEqual(after);
    await undoBatch(t.db, t.handle, op, out.summary.batch_id!);
    expect(await state()).toEqual(before);
  });
});

describe('the renewals report trusts the stored last login up to the as-of date, and reads the events past it', () => {
  const t = eachTestDb();
  it('as of an earlier date than the latest logins: the last login on or before it, else the invitation', async () => {
    const manager = await t.seed.manager('anna');
    const account = await t.seed.account('A', { manager });
    await t.db
      .insertInto('activities')
      .values({
        number: 1,
        account_id: account,
        kind: 'call',
        subject: 's',
        manager_id: manager,
        at: '2026-11-01T09:00:00Z',
        status: 'done',
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    const ending = async (ext: string, end: string, seats: [invited: string, logins: string[]][]) => {
      const sub = await t.seed.subscription(ext, { account, start_date: '2026-01-01', end_date: end });
      for (const [invited, logins] of seats) {
        const seat = await t.seed.seat(sub, await t.seed.contact(account, `${ext}-${invited}@a.example`), { invited_at: invited });
        for (const at of logins) await t.seed.login(seat, at);
      }
    };
    // as of 2026-11-15 (threshold 2026-08-15): S1's last login then was 07-20 (dormant: at risk); S2's 09-01
    // (active); S3's seat never logged in by then but was invited after the threshold (active)
    await ending('S1', '2026-11-30', [['2026-01-01', ['2026-07-20T10:00:00Z', '2026-11-18T10:00:00Z']]]);
    await ending('S2', '2026-12-31', [['2026-01-01', ['2026-09-01T10:00:00Z', '2026-11-22T10:00:00Z']]]);
    await ending('S3', '2027-01-31', [['2026-10-01', ['2026-11-20T10:00:00Z']]]);
    const risk = async (asOf: string) => (await renewalsReport(t.db, asOf, { months: 3 })).map((r) => [r.month, r.at_risk]);
    expect(await risk('2026-11-15')).toEqual([
      ['2026-11', 1],
      ['2026-12', 0],
      ['2027-01', 0],
    ]);
    // as of 2026-11-25 every seat's stored last login (11-18 … 11-22) is recent
    expect(await risk('2026-11-25')).toEqual([
      ['2026-11', 0],
      ['2026-12', 0],
      ['2027-01', 0],
    ]);
  });
});
