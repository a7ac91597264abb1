import { describe, expect, it } from 'vitest';
import { agenda } from '../../src/activities/agenda.js';
import { addActivity } from '../../src/activities/service.js';
import { listAccounts, showAccount } from '../../src/accounts/query.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp(); // 2026-11-25
const ids: Record<string, number> = {};
const t = eachTestDb(async () => {
  for (const m of ['anna', 'ben', 'cleo']) ids[m] = await t.seed.manager(m);
  await t.seed.account('SCH-001', { manager: ids.anna! });
  await t.seed.account('SCH-002', { manager: ids.ben! });
  await t.seed.account('SCH-003', { manager: ids.cleo! });
  await t.seed.account('TUT-001', { type: 'tutor', manager: null });
});
const plan = (account: string, at: string, subject = at, extra: Record<string, unknown> = {}) =>
  addActivity(t.db, op, { account_external_id: account, kind: 'task', subject, at, status: 'planned', ...extra });
const view = (rows: { agenda_of: string | null; part: string; subject: string; covering_for: string | null }[]) =>
  rows.map((r) => `${r.agenda_of ?? '-'} ${r.part} ${r.subject}${r.covering_for ? ` (for ${r.covering_for})` : ''}`);

describe('activities agenda', () => {
  it('overdue, due on the day, then the next N days (day+1 … day+N), by manager; done and cancelled ones are not on it', async () => {
    await plan('SCH-001', '2026-12-02T23:59:59Z', 'day+7');
    await plan('SCH-001', '2026-12-03T00:00:00Z', 'day+8');
    await plan('SCH-001', '2026-11-25T08:00:00Z', 'today');
    await plan('SCH-001', '2026-11-24T23:00:00Z', 'yesterday');
    await plan('SCH-002', '2026-11-26', 'ben tomorrow');
    await plan('TUT-001', '2026-11-26', 'nobody');
    await plan('SCH-001', '2026-11-20', 'done', { status: 'done' });
    await plan('SCH-001', '2026-11-26', 'cancelled', { status: 'cancelled' });
    expect(view((await agenda(t.db, '2026-11-25')).rows)).toEqual([
      'anna overdue yesterday',
      'anna today today',
      'anna upcoming day+7',
      'ben upcoming ben tomorrow',
      '- upcoming nobody',
    ]);
    expect(view((await agenda(t.db, '2026-11-25', { manager: 'anna', days: 8 })).rows)).toEqual([
      'anna overdue yesterday',
      'anna today today',
      'anna upcoming day+7',
      'anna upcoming day+8',
    ]);
    expect(view((await agenda(t.db, '2026-11-25', { manager: 'anna', days: 0 })).rows)).toEqual([
      'anna overdue yesterday',
      'anna today today',
    ]);
    await expect(agenda(t.db, '2026-11-25', { days: -1 })).rejects.toThrow('days: "-1": must be a whole number from 0 to 366');
  });

  it("a manager on leave on the day: their agenda is in their backup's (and the backup's backup when the backup is away too)", async () => {
    await plan('SCH-001', '2026-11-26', 'anna task');
    await plan('SCH-002', '2026-11-26', 'ben task');
    await plan('SCH-003', '2026-11-27', 'cleo task');
    await t.seed.leave(ids.anna!, ids.ben!, '2026-11-20', '2026-11-30');
    await t.seed.leave(ids.cleo!, ids.anna!, '2026-11-25', null);
    const all = await agenda(t.db, '2026-11-25');
    expect(view(all.rows)).toEqual(['ben upcoming anna task (for anna)', 'ben upcoming ben task', 'ben upcoming cleo task (for cleo)']);
    const anna = await agenda(t.db, '2026-11-25', { manager: 'anna' });
    expect(anna).toEqual({ rows: [], shown_to: 'ben' });
    // after the leave, each has their own again
    expect(view((await agenda(t.db, '2026-12-01', { manager: 'anna' })).rows)).toEqual([
      'anna overdue anna task',
      'anna overdue cleo task (for cleo)',
    ]);
  });
});

describe('accounts and the work log', () => {
  it('accounts show: last_activity (the latest done one) and next_activity (the earliest planned one)', async () => {
    expect(await showAccount(t.db, op, 'SCH-001')).toMatchObject({ last_activity: null, next_activity: null });
    await plan('SCH-001', '2026-11-10', 'old call', { kind: 'call', status: 'done' });
    await plan('SCH-001', '2026-11-20', 'latest call', { kind: 'call', status: 'done' });
    await plan('SCH-001', '2026-12-09', 'later');
    await plan('SCH-001', '2026-11-30', 'next');
    await plan('SCH-001', '2026-11-22', 'cancelled', { status: 'cancelled' });
    const shown = await showAccount(t.db, op, 'SCH-001');
    expect(shown.last_activity).toEqual({
      id: 'ACT-000002',
      at: '2026-11-20T00:00:00Z',
      kind: 'call',
      subject: 'latest call',
      manager_login: 'anna',
    });
    expect(shown.next_activity).toMatchObject({ id: 'ACT-000004', subject: 'next' });
  });

  it('accounts list --inactive-since: no done activity on or after the day', async () => {
    await plan('SCH-001', '2026-11-01T10:00:00Z', 'a', { status: 'done' });
    await plan('SCH-002', '2026-10-31T23:59:59Z', 'b', { status: 'done' });
    await plan('SCH-002', '2026-11-05', 'planned only');
    const ext = async (since: string) => (await listAccounts(t.db, op, { inactiveSince: since })).map((a) => a.external_id);
    expect(await ext('2026-11-01')).toEqual(['SCH-002', 'SCH-003', 'TUT-001']);
    expect(await ext('2026-10-31')).toEqual(['SCH-003', 'TUT-001']);
    await expect(ext('2026-02-30')).rejects.toThrow('inactive_since: "2026-02-30": is not a real calendar date');
  });
});
