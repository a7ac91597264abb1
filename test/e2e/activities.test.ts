import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { openTestDb, seededDb } from '../helpers/db.js';

let db: string;
const run = (...args: string[]) => runCli(args, { db });

/** SCH-001 (manager anna, contact ewa, a subscription running 2026-09-01 … 2027-08-31); today 2026-11-25. */
const given = dbFiles();
const withAccount = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    const anna = await t.seed.manager('anna');
    const sch = await t.seed.account('SCH-001', { manager: anna });
    await t.seed.contact(sch, 'ewa@sp12.example');
    await t.seed.subscription('SUB-1', { account: sch, start_date: '2026-09-01', end_date: '2027-08-31' });
  }, at);
});

/** The rows of a query, read on another connection (either engine). */
async function rows(query: string): Promise<unknown[]> {
  const h = await openTestDb(db);
  try {
    return (await sql.raw(query).execute(h.db)).rows;
  } finally {
    await h.close();
  }
}

describe('acctmgr activities', () => {
  it('add with the short forms --account and --contact, --next; list as table, JSON and CSV', async () => {
    db = await withAccount();
    const r = await run(
      'activities',
      'add',
      '--account',
      'sch-001',
      '--contact',
      'ewa@sp12.example',
      '--kind',
      'call',
      '--subject',
      'renewal',
      '--at',
      '2026-11-24T10:00:00Z',
      '--next',
      'send the renewal quote',
      '--next-at',
      '2026-12-09',
    );
    expect(r).toMatchObject({ code: 0, stdout: 'ACT-000001\nACT-000002\n' });
    const list = await runJson<{ id: string; follow_up_of: string | null }[]>(['activities', 'list', '--account', 'SCH-001'], { db });
    expect(list.map((a) => [a.id, a.follow_up_of])).toEqual([
      ['ACT-000002', 'ACT-000001'],
      ['ACT-000001', null],
    ]);
    const csv = await run('activities', 'list', '--format', 'csv', '--status', 'planned');
    expect(csv.stdout.split('\n')[0]).toBe(
      'id,account_external_id,kind,subject,notes,contact_email,manager_login,at,duration_minutes,status,outcome,follow_up_of,override_reason',
    );
    expect(csv.stdout).toContain('ACT-000002,SCH-001,task,send the renewal quote,,,anna,2026-12-09T00:00:00Z,,planned,,ACT-000001,');
    const done = await runJson<{ status: string; next: { id: string } }>(
      ['activities', 'done', 'ACT-000002', '--outcome', 'sent', '--next', 'call back', '--next-at', '2026-12-16'],
      { db },
    );
    expect(done).toMatchObject({ status: 'done', next: { id: 'ACT-000003' } });
  });

  it('a session past a limit: exit 1 and one line; nothing written; --override --reason records it', async () => {
    db = await withAccount();
    for (const at of ['2026-11-30T10:00:00Z', '2026-12-01T10:00:00Z'])
      expect((await run('activities', 'add', '--account', 'SCH-001', '--kind', 'web_session', '--subject', 's', '--at', at)).code).toBe(0);
    const before = await rows('select count(*) as n from audit_log');
    const r = await run(
      'activities',
      'add',
      '--account',
      'SCH-001',
      '--kind',
      'web_session',
      '--subject',
      's',
      '--at',
      '2026-12-03T10:00:00Z',
    );
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: fair use: SCH-001 already has 2 web sessions in the week of 2026-11-30 (limit 2); next free day: 2026-12-07\n',
    });
    expect(await rows('select count(*) as n from audit_log')).toEqual(before);
    const o = await run(
      'activities',
      'add',
      '--account',
      'SCH-001',
      '--kind',
      'web_session',
      '--subject',
      's',
      '--at',
      '2026-12-03T10:00:00Z',
      '--override',
      '--reason',
      'exam week',
    );
    expect(o).toMatchObject({ code: 0, stdout: 'ACT-000003\n' });
    expect((await run('activities', 'list', '--overrides', '--format', 'csv')).stdout.split('\n').length).toBe(3);
  });

  it('usage errors exit 2: --override without --reason, --next without --next-at, a bad --from', async () => {
    db = await withAccount();
    const base = ['activities', 'add', '--account', 'SCH-001', '--kind', 'call', '--subject', 's'];
    expect(await run(...base, '--override')).toMatchObject({ code: 2, stderr: expect.stringContaining('--override needs --reason TEXT') });
    expect(await run(...base, '--next', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--next needs --next-at') });
    expect((await run('activities', 'list', '--from', '2026-1-1')).code).toBe(2);
    expect(await run('activities', 'show', 'ACT-000001')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('activity not found: "ACT-000001"'),
    });
    expect(await rows('select * from activities')).toEqual([]);
  });

  it('plans edit --sessions-per-week unlimited; accounts fair-use as a table, --json and CSV following --as-of', async () => {
    db = await withAccount();
    expect(await run('plans', 'edit', 'BASIC', '--sessions-per-week', 'unlimited', '--trainings-per-year', '0')).toMatchObject({ code: 0 });
    expect((await run('plans', 'edit', 'BASIC', '--sessions-per-month', 'many')).code).toBe(1);
    for (const d of ['2026-11-30', '2026-12-01', '2026-12-02'])
      expect((await run('activities', 'add', '--account', 'SCH-001', '--kind', 'web_session', '--subject', 's', '--at', d)).code).toBe(0);
    const report = await runJson<any[]>(['accounts', 'fair-use', 'SCH-001', '--as-of', '2026-12-02'], { db });
    // 3 this week (Monday to Wednesday), 2 of them in December: 3 remain this month
    expect(report.map((r) => [r.kind, r.this_week, r.limit_week, r.limit_month, r.limit_12_months, r.remaining, r.next_free_day])).toEqual([
      ['web_session', 3, 'unlimited', 5, null, 3, '2026-12-02'],
      ['training_session', 0, null, null, 0, 0, 'none'],
    ]);
    const csv = await run('accounts', 'fair-use', 'SCH-001', '--format', 'csv', '--as-of', '2026-12-02');
    expect(csv.stdout.split('\n')[0]).toBe(
      'account_external_id,kind,as_of,this_week,this_month,last_12_months,limit_week,limit_month,limit_12_months,remaining,next_free_day',
    );
  });

  it("activities agenda: a manager on leave is in the backup's agenda; --manager of one on leave says whose; accounts show and list --inactive-since", async () => {
    db = await withAccount();
    expect((await run('managers', 'add', '--login', 'ben', '--name', 'Ben', '--email', 'ben@vendor.example')).code).toBe(0);
    expect(
      (await run('activities', 'add', '--account', 'SCH-001', '--kind', 'task', '--subject', 'quote', '--at', '2026-11-27')).code,
    ).toBe(0);
    expect((await run('managers', 'leave', 'anna', '--backup', 'ben', '--from', '2026-11-25', '--until', '2026-11-30', '--yes')).code).toBe(
      0,
    );
    const rows = await runJson<any[]>(['activities', 'agenda', '--manager', 'ben'], { db });
    expect(rows.map((r) => [r.agenda_of, r.part, r.id, r.account_external_id, r.covering_for])).toEqual([
      ['ben', 'upcoming', 'ACT-000001', 'SCH-001', 'anna'],
    ]);
    const anna = await run('activities', 'agenda', '--manager', 'anna');
    expect(anna.stderr).toContain('anna is on leave on 2026-11-25: their agenda is shown to ben');
    expect((await run('activities', 'agenda', '--as-of', '2026-12-01', '--format', 'csv')).stdout).toContain(
      'anna,overdue,2026-11-27T00:00:00Z,ACT-000001',
    );
    expect((await run('activities', 'agenda', '--days', 'x')).code).toBe(2);
    const shown = await runJson<any>(['accounts', 'show', 'SCH-001'], { db });
    expect(shown).toMatchObject({ last_activity: null, next_activity: { id: 'ACT-000001', subject: 'quote' } });
    expect((await runJson<any[]>(['accounts', 'list', '--inactive-since', '2026-11-01'], { db })).map((a) => a.external_id)).toEqual([
      'SCH-001',
    ]);
  });
});
