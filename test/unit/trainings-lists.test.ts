import { describe, expect, it } from 'vitest';
import { exportEntity } from '../../src/export/service.js';
import { undoBatch } from '../../src/import/undo.js';
import { listTrainings, suggestTrainings, trainingCalendar } from '../../src/trainings/list.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { showTraining } from '../../src/trainings/service.js';
import { advanceTraining } from '../../src/trainings/steps.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp(); // 2026-11-25
const HEADER =
  'id,account_external_id,subscription_external_id,topic,credits,register_no,format,venue,participants,dates,travel,source,price,currency,manager_login,expert_login,status,notes\n';
/** TRN-000001 … TRN-000005 over SCH-1 and SCH-2, in several statuses. */
const ROWS =
  ',SCH-1,,Assessment,1,NRQ-1,online,Virtual classroom,20,2026-11-30;2026-12-07,false,campaign,900.00,EUR,anna,xpert,signed,\n' +
  ',SCH-1,,Old one,0,,onsite,Hall,10,2026-03-02,false,direct,300.00,EUR,anna,xpert,delivered,\n' +
  ',SCH-2,,Cancelled one,0,,onsite,Hall,10,2026-12-07,false,direct,,,bob,xpert,cancelled,\n' +
  ',SCH-2,,Off-site,2,NRQ-2,offsite,"Hotel Rila, Borovets",16,2026-12-31;2027-01-01,true,cross_sell,1500.00,EUR,bob,xpert,confirmed,two nights\n' +
  ',SCH-2,,Not agreed yet,1,,,,5,,,,,,,,,\n';

const t = eachTestDb(async () => {
  await t.seed.standardSet(op);
  await t.seed.manager('xpert');
  const imported = await new Importer(t).run('trainings', HEADER + ROWS);
  expect(imported.errors).toEqual([]);
});

const exported = async (): Promise<string> => {
  let out = '';
  await exportEntity(t.handle, 'trainings', 'csv', (c) => (out += c));
  return out;
};

describe('trainings list, calendar and suggest', () => {
  it('list: by first date (undated last); filters by account, manager, status, source and a date range; unknown values refused', async () => {
    const ids = async (f = {}) => (await listTrainings(t.db, f)).map((r) => r.id.slice(-1));
    expect(await ids()).toEqual(['2', '1', '3', '4', '5']);
    expect(await ids({ account: 'sch-2' })).toEqual(['3', '4', '5']);
    expect(await ids({ manager: 'anna' })).toEqual(['2', '1', '5']); // 5 has the account's manager
    expect(await ids({ status: 'confirmed' })).toEqual(['4']);
    expect(await ids({ source: 'cross_sell' })).toEqual(['4']);
    // a two-day training is in the range when either day is
    expect(await ids({ from: '2026-12-05', to: '2026-12-31' })).toEqual(['1', '3', '4']);
    expect(await ids({ from: '2027-01-01' })).toEqual(['4']);
    // the two dates of an online training are two days, not an interval: a range between them holds neither
    expect(await ids({ from: '2026-12-01', to: '2026-12-06' })).toEqual([]);
    expect(await ids({ to: '2026-11-30' })).toEqual(['2', '1']);
    await expect(listTrainings(t.db, { status: 'done' })).rejects.toThrow('status: "done": must be one of requested');
    await expect(listTrainings(t.db, { source: 'gift' })).rejects.toThrow('source: "gift": must be one of package');
    await expect(listTrainings(t.db, { from: '2026-12-31', to: '2026-12-01' })).rejects.toThrow('to: "2026-12-01": is before --from');
  });

  it('calendar: one entry per date and training of the month, day by day; cancelled ones only with all', async () => {
    expect(await trainingCalendar(t.db, testOp({ asOf: '2026-12-20' }))).toEqual([
      { date: '2026-12-07', id: 'TRN-000001', account_external_id: 'SCH-1', topic: 'Assessment', format: 'online', status: 'signed' },
      { date: '2026-12-31', id: 'TRN-000004', account_external_id: 'SCH-2', topic: 'Off-site', format: 'offsite', status: 'confirmed' },
    ]);
    const all = await trainingCalendar(t.db, op, { month: '2026-12', all: true });
    expect(all.map((e) => [e.date, e.id])).toEqual([
      ['2026-12-07', 'TRN-000001'],
      ['2026-12-07', 'TRN-000003'],
      ['2026-12-31', 'TRN-000004'],
    ]);
    expect((await trainingCalendar(t.db, op)).map((e) => [e.date, e.id])).toEqual([['2026-11-30', 'TRN-000001']]);
    expect((await trainingCalendar(t.db, op, { month: '2027-01' })).map((e) => e.id)).toEqual(['TRN-000004']);
    await expect(trainingCalendar(t.db, op, { month: '2026-13' })).rejects.toThrow('month: "2026-13": is not a real calendar month');
  });

  it('suggest: accounts with a subscription ending within DAYS (default 42) and no training delivered in the 12 months before', async () => {
    // each ends the day before its start a year later
    const sub = (external_id: string, account_external_id: string, start_date: string) =>
      addSubscription(t.db, op, { external_id, account_external_id, plan: 'BIO-BASIC', students: 50, term_months: 12, start_date });
    await sub('SUB-A', 'SCH-1', '2026-01-01');
    await sub('SUB-B', 'SCH-2', '2026-01-06');
    await sub('SUB-C', 'SCH-2', '2026-03-02');
    await sub('SUB-D', 'SCH-2', '2025-12-02');
    await t.db.updateTable('subscriptions').set({ status: 'cancelled' }).where('external_id', '=', 'SUB-D').execute();
    // SCH-1 had a training delivered on 2026-03-02: within the last 12 months, so only SCH-2
    expect(await suggestTrainings(t.db, op)).toEqual([
      {
        account_external_id: 'SCH-2',
        account_name: 'SCH-2',
        manager_login: 'anna',
        subscription_external_id: 'SUB-B',
        plan: 'BIO-BASIC',
        end_date: '2027-01-05',
      },
    ]);
    expect((await suggestTrainings(t.db, op, 100)).map((s) => s.subscription_external_id)).toEqual(['SUB-B', 'SUB-C']);
    // a year later the delivered training no longer counts
    const later = testOp({ asOf: '2027-03-03' });
    await sub('SUB-E', 'SCH-1', '2026-03-11');
    expect((await suggestTrainings(t.db, later)).map((s) => s.account_external_id)).toEqual(['SCH-1']);
    await expect(suggestTrainings(t.db, op, -1)).rejects.toThrow('within: "-1": must be at least 0');
  });
});

describe('import and export trainings', () => {
  it('export → import → export gives the same file; dates ";"-separated; the import keeps keys and statuses', async () => {
    const first = await exported();
    expect(first.split('\n')[0]).toBe(HEADER.trim());
    expect(first).toContain(
      'TRN-000004,SCH-2,,Off-site,2,NRQ-2,offsite,"Hotel Rila, Borovets",16,2026-12-31;2027-01-01,true,cross_sell,1500.00,EUR,bob,xpert,confirmed,two nights',
    );
    expect(first).toContain('TRN-000005,SCH-2,,Not agreed yet,1,,,,5,,false,direct,0.00,,anna,,requested,');
    const again = await new Importer(t).run('trainings', first);
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
    expect(await exported()).toBe(first);
    // an update by key; a new row after the highest key
    const upd = await new Importer(t).run(
      'trainings',
      `${HEADER}TRN-000005,SCH-2,,Agreed topic,,,,,,,,,,,,,,\n,SCH-1,,New,,,,,3,,,,,,,,,\n`,
    );
    expect(upd.summary).toMatchObject({ inserted: 1, updated: 1 });
    expect((await showTraining(t.db, 'TRN-000005')).topic).toBe('Agreed topic');
    expect((await showTraining(t.db, 'TRN-000006')).manager_login).toBe('anna');
  });

  it('bad rows name line, field and value with the words of the command line, and the file changes nothing', async () => {
    const before = await new Importer(t).snapshot();
    const out = await new Importer(t).run(
      'trainings',
      HEADER +
        ',SCH-1,,A,,,onsite,,3,2026-12-03;2026-12-09,,,,,,,,\n' +
        ',SCH-1,,B,,,online,,3,,true,,,,,,,\n' +
        ',SCH-1,,C,,,,,3,,,package,5.00,EUR,,,,\n' +
        ',SCH-1,,D,1,,onsite,,3,2026-12-03,,,,,,,confirmed,\n' +
        ',SCH-9,,E,,,,,0,,,,,,,,,\n' +
        ',SCH-1,SUB-404,F,,,,,3,,,,,,nobody,,,\n' +
        'TRAINING-1,SCH-1,,G,,,,,3,,,,,,,,,\n',
    );
    expect(out.errors.map((e) => e.replace(/^.*?:(\d+): /, '$1: '))).toEqual([
      '2: dates: "2026-12-03;2026-12-09": two dates only for an online training or on two consecutive days',
      '3: travel: "true": only for an offsite training',
      '4: price: "5.00": must be 0 for a package training',
      '5: register_no: "": is required for a confirmed training (from confirmed on)',
      '6: participants: "0": must be at least 1',
      '6: account_external_id: "SCH-9": no account with this external_id',
      '7: subscription_external_id: "SUB-404": no subscription with this external_id',
      '7: manager_login: "nobody": no manager with this login',
      '8: id: "TRAINING-1": must be a key like TRN-000001',
    ]);
    expect(await new Importer(t).snapshot()).toEqual(before);
  });

  it('import undo removes the trainings a batch inserted, and refuses once one has taken a step since', async () => {
    const undo = (id: number) => undoBatch(t.db, t.handle, op, id);
    const more = await new Importer(t).run('trainings', `${HEADER},SCH-1,,Second batch,,,,,3,,,,,,,,,\n,SCH-2,,Third,,,,,4,,,,,,,,,\n`);
    expect(more.summary).toMatchObject({ inserted: 2 });
    expect((await undo(2)).deleted).toBe(2);
    expect((await listTrainings(t.db)).map((r) => r.id)).toEqual(['TRN-000002', 'TRN-000001', 'TRN-000003', 'TRN-000004', 'TRN-000005']);
    // a training of batch 1 took a step (a row changed and a step added since): undo refuses, naming it
    await advanceTraining(t.db, op, 'TRN-000004');
    await expect(undo(1)).rejects.toThrow(/cannot be undone: rows it wrote were changed later\n.*trainings/);
    expect(await listTrainings(t.db)).toHaveLength(5);
  });
});
