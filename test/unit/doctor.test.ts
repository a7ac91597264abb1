import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/composites/doctor.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb, garbleTable, seededDb, tempDbPath } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';

const t = eachTestDb();
const AS_OF = '2026-11-25';

describe('acctmgr doctor', () => {
  itSqlite('a damaged table that a check reads: the database finding, not the bare SQLite error (SQLite only)', async () => {
    const anna = await t.seed.manager('anna');
    await t.seed.account('SCH-1', { manager: anna });
    const copy = tempDbPath();
    t.handle.sqlite!.exec(`vacuum into '${copy}'`);
    garbleTable(copy, 'accounts');
    const r = await runCli(['doctor', '--json'], { db: copy });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^error: database disk image is malformed$/m);
    const found = JSON.parse(r.stdout) as { check: string; problem: string; fix: string }[];
    expect(found.map((f) => f.check)).toEqual(['database']);
    expect(found[0]!.problem).toMatch(/^integrity: /);
    expect(found[0]!.fix).toMatch(/^acctmgr db check \(details\)/);
  });

  it('finds nothing on a sound database (exit 0)', async () => {
    const anna = await t.seed.manager('anna');
    const sch = await t.seed.account('SCH-1', { manager: anna });
    await t.seed.subscription('S-1', { account: sch });
    expect(await runDoctor(t.handle, AS_OF)).toEqual([]);
  });

  it('names each finding, its record and the command that fixes it', async () => {
    const s = t.seed;
    const anna = await s.manager('anna');
    const ben = await s.manager('ben');
    const cleo = await s.manager('cleo', { status: 'inactive' });
    const dan = await s.manager('dan');
    // a school without a manager (tutors and guests need none)
    await s.account('SCH-LOST');
    await s.account('TUT-1', { type: 'tutor' });
    await s.account('GST-1', { type: 'guest' });
    // a tutor's subscription with no primary contact: its notices reach nobody
    const tut = await s.account('TUT-2', { type: 'tutor' });
    await s.subscription('S-TUT', { account: tut, manager: null });
    // anna on leave with an inactive backup; ben's backup dan is on leave too, and so is dan's backup anna
    await s.leave(anna, cleo, '2026-11-20', '2026-12-10');
    await s.leave(ben, dan, '2026-11-01', null);
    await s.leave(dan, anna, '2026-11-24', '2026-11-30');
    // a renewal due in 3 weeks on the retired BIO-OLD plan; one renewed already does not count
    const sch = await s.account('SCH-1', { manager: dan });
    const legacy = await s.subscription('S-OLD', { account: sch, end_date: '2026-12-16' });
    const basic = await t.db.selectFrom('plans').select('product_id').where('code', '=', 'BASIC').executeTakeFirstOrThrow();
    const values = { code: 'BIO-OLD', code_key: 'bio-old', name: 'Old', currency: 'EUR', modules: '', legacy: 1 };
    const stamp = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    const old = (
      await t.db
        .insertInto('plans')
        .values({ ...values, ...stamp, product_id: basic.product_id })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const renewed = await s.subscription('S-OLD-2', { account: sch, end_date: '2026-12-01' });
    await s.subscription('S-OLD-2-NEXT', { account: sch, start_date: '2026-12-02', end_date: '2027-12-01', renewed_from: renewed });
    await s.set('subscriptions', legacy, { plan_id: old });
    await s.set('subscriptions', renewed, { plan_id: old });
    // a removed contact keeps a seat
    const gone = await s.contact(sch, 'gone@school.example', { status: 'removed' });
    await s.seat(legacy, gone);
    // a notice in doubt
    await t.db
      .insertInto('notices')
      .values({
        kind: 'renewal',
        subject_id: legacy,
        stage: 'T-21',
        cycle: '2026-12-16',
        due_date: '2026-11-25',
        status: 'in_doubt',
        reason: null,
        recipient_login: 'dan',
        recipient_email: 'dan@vendor.example',
        account_external_id: 'SCH-1',
        subscription_external_id: 'S-OLD',
        contact_email: null,
        run_id: 'r1',
        claimed_by: 'gone:1',
        attempts: 1,
        created_at: '2026-11-25T07:00:00Z',
        updated_at: '2026-11-25T07:00:00Z',
        sent_at: null,
      })
      .execute();

    const found = await runDoctor(t.handle, AS_OF);
    expect(found.map((f) => `${f.check} ${f.record}`)).toEqual([
      'account_without_manager SCH-LOST',
      'notice_without_recipient S-TUT',
      'backup_unavailable anna',
      'backup_unavailable ben',
      'backup_unavailable dan',
      'legacy_plan_renewal S-OLD',
      expect.stringMatching(/^notice_in_doubt \d+$/),
      'seat_of_removed_contact S-OLD/gone@school.example',
    ]);
    expect(found[0]).toMatchObject({ problem: 'a school account without a manager', fix: 'acctmgr accounts assign SCH-LOST LOGIN' });
    expect(found[1]!.problem).toContain('no primary contact');
    expect(found[1]!.fix).toContain('--account-external-id TUT-2 --is-primary');
    expect(found[2]).toMatchObject({ problem: 'on leave on 2026-11-25; the backup cleo is inactive' });
    expect(found[3]).toMatchObject({ problem: 'on leave on 2026-11-25; the backup dan is on leave too' });
    expect(found[5]).toMatchObject({ problem: 'ends 2026-12-16 on the retired plan BIO-OLD: it cannot renew on it' });
    expect(found[6]!.problem).toBe('a renewal notice (T-21) may or may not have reached the mail server');
    expect(found[6]!.fix).toMatch(/^check the mail server's log, then: acctmgr notices settle \d+ --as sent\|unsent$/);
    expect(found[7]!.fix).toBe('acctmgr seats remove gone@school.example --subscription S-OLD');
    // six weeks ahead and no further: on 2026-11-01 the legacy renewal is 45 days away
    expect((await runDoctor(t.handle, '2026-11-01')).map((f) => f.check)).not.toContain('legacy_plan_renewal');
  });

  it('exits 1 with the findings (table, --json), 0 when clean', async () => {
    const dirty = await seededDb(async (d) => void (await d.seed.account('SCH-LOST')));
    const r = await runCli(['doctor', '--json'], { db: dirty });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        check: 'account_without_manager',
        record: 'SCH-LOST',
        problem: 'a school account without a manager',
        fix: 'acctmgr accounts assign SCH-LOST LOGIN',
      },
    ]);
    expect(r.stderr).toBe('error: doctor: 1 finding(s) on 2026-11-25\n');
    const clean = await seededDb(async () => undefined);
    const ok = await runCli(['doctor'], { db: clean });
    expect([ok.code, ok.stderr]).toEqual([0, '(none)\ndoctor: nothing to do on 2026-11-25\n']);
  });

  it('backup_unavailable: the fix it prints works as given (the leave covering the day is ended, then started again)', async () => {
    const db = await seededDb(async (d) => {
      for (const m of ['anna', 'ben', 'cleo']) await d.seed.manager(m);
    });
    const cli = (args: string[]) => runCli([...args, '--as-of', AS_OF], { db });
    expect((await cli(['managers', 'leave', 'anna', '--backup', 'ben', '--until', '2026-12-31'])).code).toBe(0);
    expect((await cli(['managers', 'leave', 'ben', '--backup', 'cleo'])).code).toBe(0);
    const [finding] = JSON.parse((await cli(['doctor', '--json'])).stdout) as { check: string; fix: string }[];
    expect(finding).toMatchObject({ check: 'backup_unavailable' });
    expect(finding!.fix).toBe(
      'acctmgr managers return anna --as-of 2026-11-25 && acctmgr managers leave anna --backup LOGIN --from 2026-11-25 --until 2026-12-31',
    );
    for (const command of finding!.fix.replace('LOGIN', 'cleo').split(' && ')) {
      const r = await runCli(command.split(' ').slice(1), { db });
      expect([command, r.code, r.stderr]).toEqual([command, 0, '']);
    }
    expect((await cli(['doctor'])).code).toBe(0);
  });
});
