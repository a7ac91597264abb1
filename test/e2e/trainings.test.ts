import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { seededDb, tempDir } from '../helpers/db.js';

let db: string;
const run = (...args: string[]) => runCli(args, { db });
const json = <T = any>(...args: string[]) => runJson<T>(args, { db });

/** SCH-001 (manager anna, two teachers, a director), manager xpert; today 2026-11-25. */
const given = dbFiles();
const withAccount = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    const sch = await t.seed.account('SCH-001', { manager: await t.seed.manager('anna') });
    await t.seed.manager('xpert');
    await t.seed.contact(sch, 'ewa@sp12.example');
    await t.seed.contact(sch, 'olga@sp12.example');
    await t.seed.set('contacts', await t.seed.contact(sch, 'dyrektor@sp12.example'), { role: 'director' });
  }, at);
});

describe('acctmgr trainings', () => {
  it('plans carry included_training_credits; subscriptions add and renew create the package training and say so; accounts show lists it', async () => {
    db = await withAccount();
    expect((await run('products', 'add', '--code', 'EDIARY', '--name', 'E-diary')).code).toBe(0);
    const plan = ['plans', 'add', '--code', 'ED-MAX', '--name', 'Maximum', '--product', 'EDIARY', '--currency', 'EUR'];
    expect(await run(...plan, '--included-training-credits', '-1')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('included_training_credits: "-1": must be at least 0'),
    });
    expect((await json(...plan, '--included-training-credits', '1')).included_training_credits).toBe(1);
    expect((await run('plans', 'price', 'ED-MAX', '--max-students', '500', '--term', '12', '--amount', '900.00')).code).toBe(0);
    const add = await run(
      'subscriptions',
      'add',
      '--account-external-id',
      'SCH-001',
      '--plan',
      'ED-MAX',
      '--students',
      '300',
      '--term-months',
      '12',
      '--start-date',
      '2026-01-01',
    );
    expect(add).toMatchObject({ code: 0, stdout: 'SUB-000001\n' });
    expect(add.stderr).toContain('the plan includes a training: TRN-000001 (requested, 1 credit)');
    const renew = await run('subscriptions', 'renew', 'SUB-000001');
    expect(renew.stderr).toContain('the plan includes a training: TRN-000002');
    expect((await run('plans', 'edit', 'ED-MAX', '--included-training-credits', '0')).code).toBe(0);
    expect((await run('subscriptions', 'renew', 'SUB-000002')).stderr).not.toContain('training');
    const trainings = await json<any[]>('trainings', 'list', '--source', 'package');
    expect(trainings.map((t) => [t.id, t.subscription_external_id, t.participants, t.topic, t.price, t.currency])).toEqual([
      ['TRN-000001', 'SUB-000001', 2, '(to be agreed)', '0.00', 'EUR'],
      ['TRN-000002', 'SUB-000002', 2, '(to be agreed)', '0.00', 'EUR'],
    ]);
    expect((await json('accounts', 'show', 'SCH-001')).trainings).toEqual([
      { id: 'TRN-000001', dates: [], topic: '(to be agreed)', format: null, source: 'package', status: 'requested' },
      { id: 'TRN-000002', dates: [], topic: '(to be agreed)', format: null, source: 'package', status: 'requested' },
    ]);
    expect((await run('export', 'plans')).stdout).toContain(',included_training_credits\nED-MAX,Maximum,EDIARY,EUR,,false,2,5,1,0\n');
  });

  it('add, edit, advance, cancel, calendar and suggest: exit codes, --json, errors naming field and value, nothing changed', async () => {
    db = await withAccount();
    const add = (...more: string[]) => run('trainings', 'add', '--account', 'SCH-001', '--topic', 'Digital classroom', ...more);
    expect(await add('--participants', '12', '--format', 'online', '--dates', '2026-12-03;2026-12-10')).toMatchObject({
      code: 0,
      stdout: 'TRN-000001\n',
    });
    expect(await add('--participants', '0')).toMatchObject({ code: 1, stderr: 'error: participants: "0": must be at least 1\n' });
    expect(await add('--participants', 'x')).toMatchObject({ code: 2 });
    expect(await run('trainings', 'add', '--account', 'SCH-001', '--participants', '3')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--topic'),
    });
    expect(await add('--participants', '3', '--format', 'onsite', '--dates', '2026-12-03;2026-12-10')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('dates: "2026-12-03;2026-12-10": two dates only for an online training or on two consecutive days'),
    });
    expect(await json<any[]>('trainings', 'list')).toHaveLength(1);

    expect(await run('trainings', 'advance', 'TRN-000001')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('the next step, confirmed, needs --by LOGIN'),
    });
    const confirmed = await json('trainings', 'advance', 'TRN-000001', '--by', 'xpert');
    expect(confirmed).toMatchObject({ status: 'confirmed', expert_login: 'xpert' });
    expect(confirmed.history.map((h: any) => [h.status, h.date])).toEqual([
      ['requested', '2026-11-25'],
      ['confirmed', '2026-11-25'],
    ]);
    expect(await run('trainings', 'advance', 'TRN-000001', '--to', 'signed')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('the next step is contract_requested, not signed'),
    });
    expect(await run('trainings', 'advance', 'TRN-000001', '--on', 'tomorrow')).toMatchObject({ code: 2 });
    expect(await run('trainings', 'advance', 'TRN-000001', '--on', '2026-11-24')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('on: "2026-11-24": is before the previous step (confirmed on 2026-11-25)'),
    });
    expect(await run('trainings', 'edit', 'TRN-000001', '--dates', '')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('dates: "": is required for a confirmed training'),
    });
    expect((await json('trainings', 'show', 'TRN-000001')).history).toHaveLength(2);

    const december = await json<any[]>('trainings', 'calendar', '--month', '2026-12');
    expect(december).toEqual([
      {
        date: '2026-12-03',
        id: 'TRN-000001',
        account_external_id: 'SCH-001',
        topic: 'Digital classroom',
        format: 'online',
        status: 'confirmed',
      },
      {
        date: '2026-12-10',
        id: 'TRN-000001',
        account_external_id: 'SCH-001',
        topic: 'Digital classroom',
        format: 'online',
        status: 'confirmed',
      },
    ]);
    expect(await run('trainings', 'cancel', 'TRN-000001', '--by', 'anna')).toMatchObject({ code: 0, stdout: 'TRN-000001\n' });
    expect(await json<any[]>('trainings', 'calendar', '--month', '2026-12')).toEqual([]);
    expect(await json<any[]>('trainings', 'calendar', '--month', '2026-12', '--all')).toHaveLength(2);
    expect((await run('trainings', 'calendar', '--month', '2026-12', '--all', '--format', 'csv')).stdout).toBe(
      'date,id,account_external_id,topic,format,status\n2026-12-03,TRN-000001,SCH-001,Digital classroom,online,cancelled\n2026-12-10,TRN-000001,SCH-001,Digital classroom,online,cancelled\n',
    );
    expect(await json<any[]>('trainings', 'suggest', '--within', '400')).toEqual([]);
    expect((await json<any[]>('audit', '--entity', 'training')).map((a) => a.action)).toEqual(['add', 'advance', 'cancel']);
  });

  it('the command line and a CSV import refuse the same value in the same words', async () => {
    db = await withAccount();
    const cli = await run(
      'trainings',
      'add',
      '--account',
      'SCH-001',
      '--topic',
      'T',
      '--participants',
      '3',
      '--format',
      'online',
      '--travel',
    );
    const file = path.join(tempDir(), 'trainings.csv');
    fs.writeFileSync(file, 'account_external_id,topic,participants,format,travel\nSCH-001,T,3,online,true\n');
    const csv = await run('import', 'trainings', file);
    expect(cli.code).toBe(1);
    expect(csv.code).toBe(1);
    const words = 'travel: "true": only for an offsite training';
    expect(cli.stderr).toContain(words);
    expect(csv.stderr).toContain(`${file}:2: ${words}`);
    expect(await json<any[]>('trainings', 'list')).toEqual([]);
  });
});
