import { describe, expect, it } from 'vitest';
import { listActivities } from '../../src/activities/list.js';
import { addActivity } from '../../src/activities/service.js';
import { exportEntity } from '../../src/export/service.js';
import { undoBatch } from '../../src/import/undo.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp();
const t = eachTestDb(async () => {
  const anna = await t.seed.manager('anna');
  const sch = await t.seed.account('SCH-001', { manager: anna });
  await t.seed.contact(sch, 'ewa@sp12.example');
  await t.seed.subscription('SUB-1', { account: sch, start_date: '2026-09-01', end_date: '2028-08-31' });
  await t.seed.account('SCH-002', { manager: null });
});
const HEADER = 'id,account_external_id,kind,subject,contact_email,at,status,follow_up_of,override_reason\n';

async function exported(): Promise<string> {
  let out = '';
  await exportEntity(t.handle, 'activities', 'csv', (c) => void (out += c));
  return out;
}

describe('import activities', () => {
  it('rows without an id get the next keys; an id is kept; follow_up_of may name an earlier row; defaults as on add', async () => {
    await addActivity(t.db, op, { account_external_id: 'SCH-001', kind: 'note', subject: 'first', at: '2026-11-01' });
    const out = await new Importer(t).run(
      'activities',
      HEADER +
        ',SCH-001,call,renewal,EWA@sp12.example,2026-11-20T10:00:00Z,,,\n' +
        'ACT-000050,sch-001,meeting,visit,,2026-11-21T10:00:00Z,,,\n' +
        ',SCH-001,task,send the quote,,2026-12-09,,act-000050,\n',
    );
    expect(out.errors).toEqual([]);
    expect(out.summary).toMatchObject({ inserted: 3, rejected: 0 });
    const list = await listActivities(t.db);
    expect(list.map((a) => [a.id, a.status, a.manager_login, a.follow_up_of])).toEqual([
      ['ACT-000051', 'planned', 'anna', 'ACT-000050'],
      ['ACT-000050', 'done', 'anna', null],
      ['ACT-000002', 'done', 'anna', null],
      ['ACT-000001', 'done', 'anna', null],
    ]);
    // export → import changes nothing
    const csv = await exported();
    expect(csv.split('\n')[0]).toBe(
      'id,account_external_id,kind,subject,notes,contact_email,manager_login,at,duration_minutes,status,outcome,follow_up_of,override_reason',
    );
    const again = await new Importer(t).run('activities', csv);
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
  });

  it('bad rows name the field and value: account, contact of another account, unknown follow-up, a bad key', async () => {
    const out = await new Importer(t).run(
      'activities',
      HEADER +
        ',SCH-404,call,x,,2026-11-20,,,\n' +
        ',SCH-002,call,x,ewa@sp12.example,2026-11-20,,,\n' +
        ',SCH-001,call,x,,2026-11-20,,ACT-000009,\n' +
        'X-1,SCH-001,call,x,,2026-11-20,,,\n' +
        ',SCH-001,visit,x,,2026-11-20,,,\n',
    );
    expect(out.failed).toBe(true);
    expect(out.errors.map((e) => e.replace(/^.*?:\d+: /, ''))).toEqual([
      'account_external_id: "SCH-404": no account with this external_id',
      'contact_email: "ewa@sp12.example": is not a contact of account SCH-002',
      'follow_up_of: "ACT-000009": no activity with this key (in the database or earlier in the file)',
      'id: "X-1": must be a key like ACT-000001',
      'kind: "visit": must be one of call, email, meeting, web_session, training_session, note, task',
    ]);
    expect(await listActivities(t.db)).toEqual([]);
  });

  it('an override_reason on a row that cannot override anything (a note, a cancelled row) is not stored; on a session it is', async () => {
    const file =
      HEADER +
      ',SCH-001,note,n,,2026-11-03T10:00:00Z,done,,why\n' +
      ',SCH-001,web_session,c,,2026-11-04T10:00:00Z,cancelled,,why3\n' +
      ',SCH-001,web_session,past,,2026-11-06T10:00:00Z,done,,agreed with the director\n';
    const out = await new Importer(t).run('activities', file);
    expect(out.errors).toEqual([]);
    expect((await listActivities(t.db, { overrides: true })).map((a) => [a.subject, a.override_reason])).toEqual([
      ['past', 'agreed with the director'],
    ]);
  });

  it('fair use row by row in order of at, rows of the file and the database included; an override_reason is an override', async () => {
    await addActivity(t.db, op, { account_external_id: 'SCH-001', kind: 'web_session', subject: 'db', at: '2026-12-01T10:00:00Z' });
    const file =
      HEADER +
      ',SCH-001,web_session,late,,2026-12-03T10:00:00Z,,,\n' + // third in the week in order of at
      ',SCH-001,web_session,early,,2026-11-30T10:00:00Z,,,\n' +
      ',SCH-001,web_session,kept,,2026-12-10T10:00:00Z,,,migrated from the old CRM\n' +
      ',SCH-001,training_session,t1,,2027-01-31,,,\n' +
      ',SCH-001,training_session,t2,,2028-01-30,,,\n' +
      ',SCH-001,training_session,t3,,2028-01-31,,,\n';
    const refused = await new Importer(t).run('activities', file);
    expect(refused.errors.map((e) => e.replace(/^.*?:(\d+): /, '$1: '))).toEqual([
      '2: fair use: SCH-001 already has 2 web sessions in the week of 2026-11-30 (limit 2); next free day: 2026-12-07',
      '6: fair use: SCH-001 already has 1 training session in the 12 months from 2027-01-31 (limit 1); next free day: 2028-01-31',
    ]);
    expect(await listActivities(t.db)).toHaveLength(1);
    const skipped = await new Importer(t).run('activities', file, { skipInvalid: true });
    expect(skipped.summary).toMatchObject({ inserted: 4, rejected: 2 });
    expect((await listActivities(t.db, { overrides: true })).map((a) => a.subject)).toEqual(['kept']);
    expect((await listActivities(t.db, { kind: 'training_session' })).map((a) => a.at)).toEqual([
      '2028-01-31T00:00:00Z',
      '2027-01-31T00:00:00Z',
    ]);
    // import undo takes them out again
    await undoBatch(t.db, t.handle, op, skipped.summary.batch_id!);
    expect(await listActivities(t.db)).toHaveLength(1);
  });
});
