/**
 * Follow-up links kept whole by every path that changes them (`activities edit` and the importer, as
 * `add` does): a follow-up stays in the account of the activity it follows, and no loop is made.
 * And an import's counts when rows are refused by the checks at the end.
 */
import { describe, expect, it } from 'vitest';
import { listActivities } from '../../src/activities/list.js';
import { addActivity, editActivity, showActivity } from '../../src/activities/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp();
const t = eachTestDb(async () => {
  const anna = await t.seed.manager('anna');
  const sch = await t.seed.account('SCH-001', { manager: anna });
  const other = await t.seed.account('SCH-002', { manager: anna });
  await t.seed.subscription('SUB-1', { account: sch, start_date: '2026-09-01', end_date: '2027-08-31' });
  await t.seed.subscription('SUB-2', { account: other, start_date: '2026-09-01', end_date: '2027-08-31' });
});

/** ACT-000001 (SCH-001) and its follow-up ACT-000002; with `third`, ACT-000003 following ACT-000002. */
async function chain(third = false): Promise<void> {
  await addActivity(
    t.db,
    op,
    { account_external_id: 'SCH-001', kind: 'call', subject: 'a', at: '2026-11-20T10:00:00Z' },
    {
      next: 'b',
      next_at: '2026-12-10',
    },
  );
  if (third) await addActivity(t.db, op, { account_external_id: 'SCH-001', kind: 'task', subject: 'c', follow_up_of: 'ACT-000002' });
}

const links = async () => (await listActivities(t.db)).map((a) => [a.id, a.account_external_id, a.follow_up_of]);
const lines = (errors: string[]) => errors.map((e) => e.replace(/^.*?:(\d+): /, '$1: '));

describe('activities edit keeps follow-up links whole', () => {
  it('moving a follow-up to another account is refused, naming follow_up_of, as add refuses it', async () => {
    await chain();
    await expect(editActivity(t.db, op, 'ACT-000002', { account_external_id: 'SCH-002' })).rejects.toThrow(
      'follow_up_of: "ACT-000001": is an activity of another account (not SCH-002)',
    );
    // moving it with its link cleared, or to an activity of the new account, is fine
    const moved = await editActivity(t.db, op, 'ACT-000002', { account_external_id: 'SCH-002', follow_up_of: '' });
    expect(moved).toMatchObject({ account_external_id: 'SCH-002', follow_up_of: null });
  });

  it('moving an activity that others follow is refused, naming them', async () => {
    await chain();
    await expect(editActivity(t.db, op, 'ACT-000001', { account_external_id: 'SCH-002' })).rejects.toThrow(
      'account_external_id: "SCH-002": activity ACT-000001 is followed by ACT-000002 (SCH-001): a follow-up stays in the account of the activity it follows',
    );
    expect(await links()).toEqual([
      ['ACT-000002', 'SCH-001', 'ACT-000001'],
      ['ACT-000001', 'SCH-001', null],
    ]);
  });

  it('a loop of two or three is refused, naming it', async () => {
    await chain(true);
    await expect(editActivity(t.db, op, 'ACT-000001', { follow_up_of: 'ACT-000002' })).rejects.toThrow(
      'follow_up_of: "ACT-000002": would make a follow-up cycle: ACT-000001 → ACT-000002 → ACT-000001',
    );
    await expect(editActivity(t.db, op, 'ACT-000001', { follow_up_of: 'ACT-000003' })).rejects.toThrow(
      'follow_up_of: "ACT-000003": would make a follow-up cycle: ACT-000001 → ACT-000003 → ACT-000002 → ACT-000001',
    );
    expect((await showActivity(t.db, 'ACT-000001')).follow_up_of).toBeNull();
    // following an activity further up the chain is no loop
    expect(await editActivity(t.db, op, 'ACT-000003', { follow_up_of: 'ACT-000001' })).toMatchObject({ follow_up_of: 'ACT-000001' });
  });
});

describe('import activities keeps follow-up links whole', () => {
  const HEADER = 'id,account_external_id,kind,subject,follow_up_of\n';

  it('an update moving a follow-up, or an activity others follow, to another account is refused', async () => {
    await chain();
    const out = await new Importer(t).run('activities', HEADER + 'ACT-000002,SCH-002,task,b,\n');
    expect(lines(out.errors)).toEqual(['2: follow_up_of: "ACT-000001": is an activity of another account (not SCH-002)']);
    const followed = await new Importer(t).run('activities', HEADER + 'ACT-000001,SCH-002,call,a,\n');
    expect(lines(followed.errors)).toEqual([
      '2: account_external_id: "SCH-002": activity ACT-000001 is followed by ACT-000002 (SCH-001): a follow-up stays in the account of the activity it follows',
    ]);
    // both moved together keep the link in one account
    const both = await new Importer(t).run('activities', HEADER + 'ACT-000002,SCH-002,task,b,\nACT-000001,SCH-002,call,a,\n');
    expect(both.errors).toEqual([]);
    expect(await links()).toEqual([
      ['ACT-000002', 'SCH-002', 'ACT-000001'],
      ['ACT-000001', 'SCH-002', null],
    ]);
  });

  it('an update making a loop is refused, on its line, naming the loop', async () => {
    await chain(true);
    const out = await new Importer(t).run('activities', HEADER + 'ACT-000001,SCH-001,call,a,ACT-000003\n');
    expect(lines(out.errors)).toEqual([
      '2: follow_up_of: "ACT-000003": would make a follow-up cycle: ACT-000001 → ACT-000003 → ACT-000002 → ACT-000001',
    ]);
    expect(out.summary).toMatchObject({ inserted: 0, updated: 0, rejected: 1 });
    expect((await showActivity(t.db, 'ACT-000001')).follow_up_of).toBeNull();
  });
});

describe('import activities: counts with rows refused at the end', () => {
  const FILE =
    'id,account_external_id,kind,subject,at\n' +
    ',SCH-001,web_session,w3,2026-11-04T10:00:00Z\n' +
    ',SCH-001,web_session,w1,2026-11-02T10:00:00Z\n' +
    ',SCH-001,web_session,w2,2026-11-03T10:00:00Z\n' +
    ',SCH-001,note,n1,2026-11-05T10:00:00Z\n';

  it('a row refused for fair use is counted once, as rejected: in a refused import, a dry run and with --skip-invalid', async () => {
    for (const over of [{}, { dryRun: true }, { skipInvalid: true }]) {
      const out = await new Importer(t).run('activities', FILE, over);
      expect(lines(out.errors)).toEqual([
        '2: fair use: SCH-001 already has 2 web sessions in the week of 2026-11-02 (limit 2); next free day: 2026-11-09',
      ]);
      expect(out.summary).toMatchObject({ inserted: 3, updated: 0, unchanged: 0, rejected: 1 });
      expect(out.summary.entities.activities).toMatchObject({ inserted: 3, rejected: 1 });
    }
  });
});
