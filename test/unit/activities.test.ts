import { describe, expect, it } from 'vitest';
import { listActivities } from '../../src/activities/list.js';
import { addActivity, cancelActivity, doneActivity, editActivity, removeActivity, showActivity } from '../../src/activities/service.js';
import { listAudit } from '../../src/audit/audit.js';
import { InvalidDataError, NotFoundError, RefusedError } from '../../src/errors.js';
import { eachTestDb, testOp } from '../helpers/db.js';

// as of 2026-11-25, 09:00 UTC
const op = testOp();
const t = eachTestDb(async () => {
  const anna = await t.seed.manager('anna');
  const sch = await t.seed.account('SCH-001', { manager: anna });
  await t.seed.contact(sch, 'ewa@sp12.example');
  await t.seed.subscription('SUB-1', { account: sch, start_date: '2026-09-01', end_date: '2027-08-31' });
  await t.seed.account('TUT-001', { type: 'tutor', manager: null });
});

const add = (extra: Record<string, unknown>, extras = {}) =>
  addActivity(t.db, op, { account_external_id: 'SCH-001', kind: 'call', subject: 'renewal', ...extra }, extras);
const session = (at: string, extras = {}) => add({ kind: 'web_session', subject: 'setup', at }, extras);

async function count(): Promise<number> {
  return (await t.db.selectFrom('activities').select('id').execute()).length;
}

describe('activities', () => {
  it('keys ACT-000001 …; defaults: now, done, the account manager; a tutor account has none', async () => {
    const [a] = await add({ contact_email: 'EWA@sp12.example' });
    expect(a).toMatchObject({
      id: 'ACT-000001',
      status: 'done',
      at: '2026-11-25T09:00:00Z',
      manager_login: 'anna',
      contact_email: 'ewa@sp12.example',
    });
    const [b] = await add({ account_external_id: 'TUT-001', at: '2026-12-01' });
    expect(b).toMatchObject({
      id: 'ACT-000002',
      status: 'planned',
      at: '2026-12-01T00:00:00Z',
      manager_login: null,
      duration_minutes: null,
    });
    const [c] = await session('2026-12-02T10:00:00+01:00');
    expect(c).toMatchObject({ at: '2026-12-02T09:00:00Z', duration_minutes: 30, status: 'planned' });
    const [d] = await add({ kind: 'training_session', at: '2026-10-01T08:00:00Z' });
    expect(d).toMatchObject({ duration_minutes: 120, status: 'done' });
  });

  it('"now" is the real instant far from UTC too; a moved as-of date keeps the current UTC time of day', async () => {
    const tz = process.env.TZ;
    try {
      // 2026-12-05T17:45Z is already 2026-12-06 in Kiritimati (UTC+14): today there, and still now
      process.env.TZ = 'Pacific/Kiritimati';
      const kiritimati = testOp({ asOf: '2026-12-06', today: '2026-12-06', now: '2026-12-05T17:45:18Z' });
      const base = { account_external_id: 'SCH-001', kind: 'call', subject: 'now' };
      expect((await addActivity(t.db, kiritimati, base))[0]).toMatchObject({ at: '2026-12-05T17:45:18Z', status: 'done' });
      const later = { ...base, at: '2026-12-06T20:00:00+14:00' };
      expect((await addActivity(t.db, kiritimati, later))[0]).toMatchObject({ at: '2026-12-06T06:00:00Z', status: 'planned' });
      // 2026-12-06T03:00Z is still 2026-12-05 in Los Angeles
      process.env.TZ = 'America/Los_Angeles';
      const la = testOp({ asOf: '2026-12-05', today: '2026-12-05', now: '2026-12-06T03:00:00Z' });
      expect((await addActivity(t.db, la, base))[0]).toMatchObject({ at: '2026-12-06T03:00:00Z' });
      // --as-of another day: that day at the current UTC time of day
      expect((await addActivity(t.db, { ...la, asOf: '2026-11-20' }, base))[0]).toMatchObject({ at: '2026-11-20T03:00:00Z' });
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('--next plans the follow-up; done closes it with its outcome and plans the next', async () => {
    const [call, next] = await add({}, { next: 'send the renewal quote', next_at: '2026-12-09' });
    expect(next).toMatchObject({
      id: 'ACT-000002',
      kind: 'task',
      status: 'planned',
      follow_up_of: call!.id,
      manager_login: 'anna',
      at: '2026-12-09T00:00:00Z',
    });
    const [done, third] = await doneActivity(t.db, op, 'act-000002', 'quote sent', { next: 'call back', next_at: '2026-12-16T10:00:00Z' });
    expect(done).toMatchObject({ status: 'done', outcome: 'quote sent' });
    expect(third).toMatchObject({ id: 'ACT-000003', follow_up_of: 'ACT-000002', status: 'planned' });
    await expect(doneActivity(t.db, op, 'ACT-000002', undefined)).rejects.toThrow(
      'activity ACT-000002 is done: only a planned activity can be marked done',
    );
    expect((await cancelActivity(t.db, op, 'ACT-000003')).status).toBe('cancelled');
    await expect(removeActivity(t.db, op, 'ACT-000001')).rejects.toThrow('activity ACT-000001 is followed by ACT-000002');
    await removeActivity(t.db, op, 'ACT-000003');
    await expect(showActivity(t.db, 'ACT-000003')).rejects.toBeInstanceOf(NotFoundError);
    const audit = await listAudit(t.db, { entity: 'activity' });
    expect(audit.map((r) => `${r.action} ${r.key}`)).toEqual([
      'add ACT-000001',
      'add ACT-000002',
      'edit ACT-000002',
      'add ACT-000003',
      'edit ACT-000003',
      'remove ACT-000003',
    ]);
  });

  it('bad input names the field and value, and changes nothing', async () => {
    await expect(add({ kind: 'visit' })).rejects.toThrow(
      'kind: "visit": must be one of call, email, meeting, web_session, training_session, note, task',
    );
    await expect(add({ contact_email: 'nobody@x.example' })).rejects.toThrow(
      'contact_email: "nobody@x.example": is not a contact of account SCH-001',
    );
    await expect(add({ follow_up_of: 'ACT-000009' })).rejects.toThrow('follow_up_of: "ACT-000009": no activity with this key');
    await expect(add({ manager_login: 'nobody' })).rejects.toThrow('manager_login: "nobody": no manager with this login');
    await expect(add({ at: '2026-13-01' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(add({ subject: '' })).rejects.toThrow('subject: "": is required');
    expect(await count()).toBe(0);
  });

  it('fair use: the third web session of a week is refused with the next free day; --override records it with its reason', async () => {
    await session('2026-11-30T10:00:00Z');
    await session('2026-12-06T10:00:00Z'); // Sunday
    await expect(session('2026-12-02T10:00:00Z')).rejects.toThrow(
      new RefusedError('fair use: SCH-001 already has 2 web sessions in the week of 2026-11-30 (limit 2); next free day: 2026-12-07'),
    );
    expect(await count()).toBe(2);
    await session('2026-12-07T10:00:00Z'); // Monday: another week
    const [over] = await session('2026-12-02T10:00:00Z', { override_reason: 'exam week' });
    expect(over!.override_reason).toBe('exam week');
    expect((await listActivities(t.db, { overrides: true })).map((a) => a.id)).toEqual([over!.id]);
    const audit = await listAudit(t.db, { entity: 'activity', key: over!.id });
    expect(audit[0]!.after).toMatchObject({ override_reason: 'exam week' });
  });

  it('an override where no limit is passed records nothing: a note, a session within every limit, an edit', async () => {
    const [note] = await add({ kind: 'note' }, { override_reason: 'no limit here' });
    const [first] = await session('2026-12-08T10:00:00Z', { override_reason: 'not needed' });
    expect([note!.override_reason, first!.override_reason]).toEqual([null, null]);
    expect(await editActivity(t.db, op, first!.id, {}, { override_reason: 'still not needed' })).toMatchObject({ override_reason: null });
    await session('2026-12-09T10:00:00Z');
    const [third] = await session('2026-12-10T10:00:00Z', { override_reason: 'exam week' });
    expect(third!.override_reason).toBe('exam week');
    expect((await listActivities(t.db, { overrides: true })).map((a) => a.id)).toEqual([third!.id]);
    // moved to a week with room, it is no longer past a limit
    const moved = await editActivity(t.db, op, third!.id, { at: '2026-12-15T10:00:00Z' });
    expect(moved.override_reason).toBeNull();
    expect(await listActivities(t.db, { overrides: true })).toEqual([]);
  });

  it('fair use: moving a session (edit --at) into a full week is refused; a cancelled one no longer counts', async () => {
    await session('2026-11-30T10:00:00Z');
    await session('2026-12-01T10:00:00Z');
    const [third] = await session('2026-12-08T10:00:00Z');
    await expect(editActivity(t.db, op, third!.id, { at: '2026-12-03T10:00:00Z' })).rejects.toThrow('in the week of 2026-11-30 (limit 2)');
    expect((await showActivity(t.db, third!.id)).at).toBe('2026-12-08T10:00:00Z');
    await editActivity(t.db, op, third!.id, { subject: 'renamed' }); // not moved: not checked again
    await cancelActivity(t.db, op, 'ACT-000001');
    expect((await editActivity(t.db, op, third!.id, { at: '2026-12-03T10:00:00Z' })).at).toBe('2026-12-03T10:00:00Z');
  });

  it('fair use: an account with no running subscription gets no sessions; other kinds are unlimited', async () => {
    await expect(session('2027-09-01T10:00:00Z')).rejects.toThrow(
      'fair use: SCH-001 has no subscription running on 2027-09-01 (no web sessions); next free day: none',
    );
    for (let i = 0; i < 4; i++) await add({ kind: 'email', at: '2026-12-01T10:00:00Z' });
    expect(await count()).toBe(4);
  });

  it('lists newest first, filtered by account, manager, kind, status and dates (UTC days, both included)', async () => {
    await add({ at: '2026-11-01T10:00:00Z' });
    await add({ at: '2026-11-30T23:59:59Z', kind: 'email' });
    await add({ at: '2026-12-01T00:00:00Z', account_external_id: 'TUT-001' });
    expect((await listActivities(t.db)).map((a) => a.id)).toEqual(['ACT-000003', 'ACT-000002', 'ACT-000001']);
    expect((await listActivities(t.db, { from: '2026-11-02', to: '2026-11-30' })).map((a) => a.id)).toEqual(['ACT-000002']);
    expect((await listActivities(t.db, { manager: 'anna', kind: 'call' })).map((a) => a.id)).toEqual(['ACT-000001']);
    expect((await listActivities(t.db, { account: 'tut-001', status: 'planned' })).map((a) => a.id)).toEqual(['ACT-000003']);
    await expect(listActivities(t.db, { status: 'open' })).rejects.toThrow('status: "open": must be one of planned, done, cancelled');
  });
});
