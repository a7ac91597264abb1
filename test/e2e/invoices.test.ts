import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { seededDb, tempDir, testOp } from '../helpers/db.js';
import { startSmtp } from '../helpers/smtp.js';

let db: string;
const run = (...args: string[]) => runCli(args, { db });

/** The standard set (anna; SCH-1, SCH-2, TUT-1; BIO-BASIC …) and SUB-1 … SUB-4 of SCH-1, unpaid, from 2026-09-01. */
const given = dbFiles();
const withSubs = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    await t.seed.standardSet(testOp());
    for (let i = 1; i <= 4; i++)
      await addSubscription(t.db, testOp(), {
        external_id: `SUB-${i}`,
        account_external_id: 'SCH-1',
        plan: 'BIO-BASIC',
        students: 150,
        term_months: 12,
        start_date: '2026-09-01',
      });
  }, at);
});

describe('acctmgr invoices', () => {
  it('issue, list (--json, --format csv, overdue on --as-of), show, pay, void; errors name the field and change nothing', async () => {
    db = await withSubs();
    expect(await run('invoices', 'issue', '--subscription', 'SUB-1', '--on', '2026-11-01')).toMatchObject({
      code: 0,
      stdout: 'INV-2026-00001\n',
    });
    expect(await run('invoices', 'issue', '--subscription', 'SUB-2', '--on', '2026-10-01')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('on: "2026-10-01": must not be before 2026-11-01'),
    });
    expect(await run('invoices', 'issue', '--subscription', 'SUB-2', '--due-days', '30')).toMatchObject({
      code: 0,
      stdout: 'INV-2026-00002\n',
    });
    expect(await run('invoices', 'issue')).toMatchObject({ code: 2, stderr: expect.stringContaining('--subscription') });
    const overdue = await runJson<any[]>(['invoices', 'list', '--status', 'overdue'], { db });
    expect(overdue.map((i) => [i.number, i.status, i.days_overdue])).toEqual([['INV-2026-00001', 'overdue', 10]]);
    const csv = await run('invoices', 'list', '--format', 'csv', '--as-of', '2026-11-10');
    const [header, first, second] = csv.stdout.split('\n');
    expect(header).toMatch(/^number,account_external_id,account_name,subscription_external_id,.*,lines,amount,currency,/);
    expect(first).toMatch(
      /^INV-2026-00001,SCH-1,SCH-1,SUB-1,,,,2026\/2027,"\[\{""description"":.*,800\.00,EUR,,2026-11-01,2026-11-15,,issued,0,$/,
    );
    expect(second).toContain(',800.00,EUR,,2026-11-25,2026-12-25,,issued,0,');
    expect((await run('invoices', 'void', 'INV-2026-00002', '--reason', 'wrong school')).code).toBe(2);
    expect((await runJson<any>(['invoices', 'void', 'INV-2026-00002', '--reason', 'wrong school', '--yes'], { db })).status).toBe('void');
    expect((await runJson<any>(['invoices', 'pay', 'INV-2026-00001', '--on', '2026-11-20'], { db })).paid_on).toBe('2026-11-20');
    expect((await runJson<any>(['subscriptions', 'show', 'SUB-1'], { db })).paid_at).toBe('2026-11-20');
    expect(await run('invoices', 'void', 'INV-2026-00001', '--reason', 'x', '--yes')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('a paid invoice cannot be voided'),
    });
    expect(await run('invoices', 'show', 'INV-2026-00099')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('invoice not found'),
    });
    expect(await run('invoices', 'show', 'nonsense')).toMatchObject({ code: 1, stderr: expect.stringContaining('number: "nonsense"') });
    const show = await runJson<any>(['invoices', 'show', 'inv-2026-00002'], { db });
    expect(show).toMatchObject({ number: 'INV-2026-00002', status: 'void', void_reason: 'wrong school', due_on: '2026-12-25' });
  });

  it('subscriptions add --instalments 2 and subscriptions pay end in the same state as invoices pay; issue --due', async () => {
    db = await withSubs();
    const added = await run(
      ...['subscriptions', 'add', '--account-external-id', 'SCH-2', '--plan', 'BIO-BASIC', '--students', '200'],
      ...['--term-months', '24', '--start-date', '2026-09-01', '--instalments', '2'],
    );
    expect(added).toMatchObject({ code: 0, stdout: 'SUB-000005\n' });
    expect(
      await run(
        'subscriptions',
        'add',
        '--account-external-id',
        'SCH-2',
        '--plan',
        'BIO-BASIC',
        '--students',
        '200',
        '--term-months',
        '12',
        '--start-date',
        '2026-09-01',
        '--instalments',
        '2',
      ),
    ).toMatchObject({ code: 1, stderr: expect.stringContaining('is only for 24-month terms') });
    // nothing was added by the refused command
    expect((await runJson<any[]>(['subscriptions', 'list', '--account', 'SCH-2'], { db })).length).toBe(1);
    const both = await runJson<any[]>(['invoices', 'list', '--account', 'SCH-2'], { db });
    expect(both.map((i) => [i.number, i.instalment, i.period, i.amount, i.status, i.planned_on])).toEqual([
      ['INV-2026-00001', 1, '2026/2027', '700.00', 'issued', null],
      [null, 2, '2027/2028', '700.00', 'planned', '2027-09-01'],
    ]);
    expect((await run('subscriptions', 'pay', 'SUB-000005', '--paid-at', '2026-11-25')).code).toBe(0);
    expect((await runJson<any>(['invoices', 'show', 'INV-2026-00001'], { db })).status).toBe('paid');
    // SUB-3 has no invoice yet: subscriptions pay issues it first
    expect((await run('subscriptions', 'pay', 'SUB-3')).code).toBe(0);
    expect(await runJson<any>(['invoices', 'show', 'INV-2026-00002'], { db })).toMatchObject({
      subscription_external_id: 'SUB-3',
      status: 'paid',
      paid_on: '2026-11-25',
    });
    expect((await run('invoices', 'issue', '--due', '--as-of', '2027-09-01', '--format', 'csv')).stdout).toContain(
      'INV-2027-00001,SCH-2,SCH-2,SUB-000005,,2,2,2027/2028,',
    );
    expect((await runJson<any>(['invoices', 'show', 'SUB-000005#2'], { db })).number).toBe('INV-2027-00001');
  });

  it('remind --send issues the planned invoices whose day has come first (cron does it)', async () => {
    db = await withSubs();
    const add = ['subscriptions', 'add', '--account-external-id', 'SCH-2', '--plan', 'BIO-BASIC', '--students', '200'];
    expect((await run(...add, '--term-months', '24', '--start-date', '2025-12-01', '--instalments', '2')).code).toBe(0);
    const smtp = await startSmtp();
    try {
      const env = {
        ACCTMGR_SMTP_URL: smtp.url,
        ACCTMGR_MAIL_FROM: 'billing@vendor.example',
        ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
      };
      // the preview cannot show the notices of invoices not issued yet: it says so (and not with --quiet)
      const note =
        'note: --send first issues 1 planned invoice(s) due by 2026-12-01 and sends their invoice-issued notices, not shown here (acctmgr invoices issue --due issues them now)';
      expect((await runCli(['remind', '--as-of', '2026-12-01'], { db, env })).stderr).toContain(note);
      expect((await runCli(['remind', '--preview-email', '--as-of', '2026-12-01'], { db, env })).stderr).toContain(note);
      expect((await runCli(['remind', '--as-of', '2026-12-01', '--quiet'], { db, env })).stderr).not.toContain('note:');
      expect((await runCli(['remind', '--as-of', '2026-11-30'], { db, env })).stderr).not.toContain('note:');
      const sent = await runCli(['remind', '--send', '--as-of', '2026-12-01'], { db, env });
      expect(sent.stderr).toContain('issued 1 planned invoice(s): INV-2026-00002');
      expect((await runJson<any>(['invoices', 'show', 'SUB-000005#2'], { db })).issued_on).toBe('2026-12-01');
    } finally {
      await smtp.close();
    }
  });
});

describe('acctmgr invoices issue --training', () => {
  it('bills a training (its key in show, list --training, CSV and print); exactly one of --subscription, --training, --due; refusals exit 1', async () => {
    db = await withSubs();
    const add = ['trainings', 'add', '--account-external-id', 'SCH-2', '--topic', 'Digital classroom', '--participants', '30'];
    expect((await run(...add, '--format', 'online', '--dates', '2026-12-08;2026-12-15', '--price', '900', '--currency', 'EUR')).code).toBe(
      0,
    );
    expect((await run(...add, '--price', '0')).code).toBe(0);
    expect(await run('invoices', 'issue', '--training', 'TRN-000001', '--subscription', 'SUB-1')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give exactly one of --subscription EXTERNAL_ID, --training ID and --due'),
    });
    expect((await run('invoices', 'issue', '--training', 'TRN-000001', '--due')).code).toBe(2);
    expect((await run('invoices', 'issue')).code).toBe(2);
    expect(await run('invoices', 'issue', '--training', 'TRN-000001', '--on', '2026-11-20', '--due-days', '10')).toMatchObject({
      code: 0,
      stdout: 'INV-2026-00001\n',
    });
    expect(await runJson<any>(['invoices', 'show', 'INV-2026-00001'], { db })).toMatchObject({
      account_external_id: 'SCH-2',
      subscription_external_id: null,
      training_id: 'TRN-000001',
      period: '2026/2027',
      amount: '900.00',
      currency: 'EUR',
      due_on: '2026-11-30',
      lines: [{ description: 'Training: Digital classroom, online, 2026-12-08 – 2026-12-15, 30 participants (TRN-000001)' }],
    });
    expect(await run('invoices', 'issue', '--training', 'TRN-000001')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('training TRN-000001 is already billed by invoice INV-2026-00001'),
    });
    expect(await run('invoices', 'issue', '--training', 'TRN-000002')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('training TRN-000002 has no price (0.00): nothing to bill'),
    });
    expect((await run('invoices', 'issue', '--subscription', 'SUB-1')).code).toBe(0);
    const csv = (await run('invoices', 'list', '--training', 'TRN-000001', '--format', 'csv')).stdout.split('\n');
    expect(csv.filter((l) => l !== '')).toHaveLength(2);
    expect(csv[1]).toMatch(/^INV-2026-00001,SCH-2,SCH-2,,TRN-000001,/);
    const printed = await run('invoices', 'print', 'INV-2026-00001');
    expect(printed.stdout).toMatch(/Buyer:\n {2}SCH-2\n/);
    expect(printed.stdout).toContain('Training: TRN-000001');
  });
});

describe('invoice settings', () => {
  it('invoice-prefix, invoice-due-days and seller-* live in the settings store; bad values are refused naming the rule', async () => {
    db = await withSubs();
    expect(await run('settings', 'set', 'invoice-prefix', 'inv-')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('value: "inv-": must be 1-10 capital letters or digits'),
    });
    expect(await run('settings', 'set', 'invoice-due-days', '400')).toMatchObject({ code: 1 });
    expect((await run('settings', 'set', 'invoice-due-days', '30')).code).toBe(0);
    expect((await run('settings', 'set', 'invoice-prefix', 'FV')).code).toBe(0);
    expect((await run('settings', 'set', 'seller-name', 'Edu Vendor Ltd')).code).toBe(0);
    expect((await run('settings', 'get', 'seller-name')).stdout).toBe('Edu Vendor Ltd\n');
    const inv = await runJson<any>(['invoices', 'issue', '--subscription', 'SUB-1'], { db });
    expect(inv).toMatchObject({ number: 'FV-2026-00001', due_on: '2026-12-25' });
    const keys = (await runJson<any[]>(['settings', 'list'], { db })).map((s) => s.key);
    expect(keys).toEqual(['invoice-due-days', 'invoice-prefix', 'manager-requests', 'seller-address', 'seller-name', 'seller-vat-no']);
  });
});
