import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { payInvoice, paySubscriptionBilled } from '../../src/composites/billing.js';
import { ConflictError, InvalidDataError, RefusedError } from '../../src/errors.js';
import { parseLines, schoolYear, splitInTwo, invoiceNumber, parseInvoiceNumber } from '../../src/invoices/rules.js';
import {
  billInInstalments,
  insertInvoice,
  issueDueInvoices,
  issueForSubscription,
  oneLine,
  listInvoices,
  showInvoice,
  voidInvoice,
} from '../../src/invoices/service.js';
import { invoiceName } from '../../src/invoices/record.js';
import { setSetting } from '../../src/settings/service.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { cancelSubscription, paySubscription } from '../../src/subscriptions/payment.js';
import { showSubscription } from '../../src/subscriptions/show.js';
import { writeTx } from '../../src/db/tx.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  await t.seed.standardSet(op);
});

const add = async (over: Record<string, unknown> = {}) =>
  (
    await addSubscription(t.db, op, {
      account_external_id: 'SCH-1',
      plan: 'BIO-BASIC',
      students: 150,
      term_months: 12,
      start_date: '2026-09-01',
      ...over,
    })
  ).external_id;

describe('invoice rules', () => {
  it('school years run 1 September to 31 August; halves put the odd cent on the first', () => {
    expect(schoolYear('2026-09-01')).toBe('2026/2027');
    expect(schoolYear('2027-08-31')).toBe('2026/2027');
    expect(schoolYear('2027-01-15')).toBe('2026/2027');
    expect(splitInTwo(140_001)).toEqual([70_001, 70_000]);
    expect(splitInTwo(140_000)).toEqual([70_000, 70_000]);
    expect(splitInTwo(Number.MAX_SAFE_INTEGER)).toEqual([4503599627370496, 4503599627370495]);
  });

  it('numbers: PREFIX-YYYY-NNNNN, read back with their year and place', () => {
    expect(invoiceNumber('INV', 2026, 7)).toBe('INV-2026-00007');
    expect(invoiceNumber('FV', 2027, 123456)).toBe('FV-2027-123456');
    expect(parseInvoiceNumber('inv-2026-00007')).toEqual({ year: 2026, seq: 7 });
    expect(parseInvoiceNumber('INV-26-7')).toBeUndefined();
  });

  it('lines: a JSON array whose amounts are quantity × unit price and add up to the amount', () => {
    const good =
      '[{"description":"Seats","quantity":3,"unit_price":"10.00","amount":"30.00"},{"description":"Fee","quantity":1,"unit_price":"5","amount":"5.00"}]';
    expect(parseLines(good, 3500)).toEqual({
      lines: [
        { description: 'Seats', quantity: 3, unit_price_cents: 1000, amount_cents: 3000 },
        { description: 'Fee', quantity: 1, unit_price_cents: 500, amount_cents: 500 },
      ],
    });
    expect(parseLines(good, 3600)).toMatchObject({ problem: { field: 'lines', rule: 'the lines add up to 35.00, not the amount 36.00' } });
    expect(parseLines('[{"description":"x","quantity":2,"unit_price":"1.00","amount":"3.00"}]', 300)).toMatchObject({
      problem: { rule: 'line 1: amount must be quantity × unit_price' },
    });
    expect(parseLines('nope', 0)).toMatchObject({ problem: { field: 'lines' } });
    // a description is one line of text, as every name is
    const described = (d: string) => parseLines(JSON.stringify([{ description: d, quantity: 1, unit_price: '1.00', amount: '1.00' }]), 100);
    expect(described('line\u001b[31mRED')).toMatchObject({
      problem: { rule: 'line 1: description must not contain control characters, tabs or line breaks (found U+001B)' },
    });
    expect(described('first\nsecond')).toMatchObject({ problem: { rule: expect.stringContaining('(found U+000A)') } });
    expect(described('x'.repeat(1001))).toMatchObject({ problem: { rule: 'line 1: description must be at most 1000 characters' } });
    expect(described('Biology – Basic, 150 students')).toHaveProperty('lines');
    // a JSON number is an amount as written: never rounded to two decimals
    const numeric = '[{"description":"x","quantity":3,"unit_price":0.333,"amount":0.99}]';
    expect(parseLines(numeric, 99)).toMatchObject({
      problem: { rule: 'line 1: unit_price and amount must each be an amount like 450.00 of at most 90071992547409.91' },
    });
    expect(parseLines('[{"description":"x","quantity":3,"unit_price":0.33,"amount":0.99}]', 99)).toMatchObject({
      lines: [{ unit_price_cents: 33, amount_cents: 99 }],
    });
    expect(parseLines('[{"description":"x","quantity":1,"unit_price":10,"amount":1e21}]', 1000)).toHaveProperty('problem');
    // 2^53 − 1 cents is the largest amount
    expect(
      parseLines('[{"description":"x","quantity":1,"unit_price":"90071992547409.91","amount":"90071992547409.91"}]', 9007199254740991),
    ).toHaveProperty('lines');
    expect(
      parseLines('[{"description":"x","quantity":1,"unit_price":"90071992547409.92","amount":"90071992547409.92"}]', 0),
    ).toHaveProperty('problem');
  });
});

describe('invoices issue and numbering', () => {
  it('after the largest sequence a year can have (15 digits, an imported number) the next issue is refused, not numbered 16 digits', async () => {
    const sub = await add();
    const stamp = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    const account = await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'SCH-1').executeTakeFirstOrThrow();
    await t.db
      .insertInto('invoices')
      .values({
        ...stamp,
        number: 'INV-2026-999999999999999',
        number_key: 'inv-2026-999999999999999',
        year: 2026,
        seq: 999_999_999_999_999,
        account_id: account.id,
        lines_json: '[]',
        amount_cents: 100,
        currency: 'EUR',
        issued_on: '2026-01-05',
        due_on: '2026-01-19',
        status: 'issued',
      })
      .execute();
    const refused = await issueForSubscription(t.db, op, sub).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toBe(
      'invoice numbers of 2026 are used up: the last has the largest sequence, 999999999999999 (an imported number, most likely)',
    );
  });

  it("bills the subscription's price for its term, due after invoice-due-days; audited", async () => {
    const sub = await add();
    const inv = await issueForSubscription(t.db, op, sub);
    expect(inv).toMatchObject({
      number: 'INV-2026-00001',
      account_external_id: 'SCH-1',
      subscription_external_id: sub,
      period: '2026/2027',
      amount: '800.00',
      currency: 'EUR',
      issued_on: '2026-11-25',
      due_on: '2026-12-09',
      status: 'issued',
      lines: [
        {
          quantity: 1,
          unit_price: '800.00',
          amount: '800.00',
          description: expect.stringContaining('150 students, 2026-09-01 – 2027-08-31'),
        },
      ],
    });
    expect((await listAudit(t.db, { entity: 'invoice' }))[0]).toMatchObject({ action: 'issue', key: 'INV-2026-00001' });
    await expect(issueForSubscription(t.db, op, sub)).rejects.toThrow(ConflictError);
  });

  it("gap-free per calendar year, across a year end, with the prefix setting; --on neither before the year's latest nor after today", async () => {
    const late = { ...op, asOf: '2027-01-05' };
    const [a, b, c, d] = [await add(), await add(), await add(), await add()];
    expect((await issueForSubscription(t.db, late, a, { on: '2026-12-30' })).number).toBe('INV-2026-00001');
    expect((await issueForSubscription(t.db, late, b, { on: '2026-12-31', dueDays: 30 })).due_on).toBe('2027-01-30');
    await expect(issueForSubscription(t.db, late, c, { on: '2026-12-29' })).rejects.toThrow(
      'on: "2026-12-29": must not be before 2026-12-31, the latest issue date in 2026',
    );
    await expect(issueForSubscription(t.db, late, c, { on: '2027-01-06' })).rejects.toThrow('must not be after today (2027-01-05)');
    await setSetting(t.db, op, 'invoice-prefix', 'FV');
    // settings' text counts characters (code points after NFC), as every text field does
    expect((await setSetting(t.db, op, 'seller-name', '😀'.repeat(200))).value).toBe('😀'.repeat(200));
    expect((await setSetting(t.db, op, 'seller-name', 'e\u0301'.repeat(200))).value).toBe('e\u0301'.repeat(200));
    await expect(setSetting(t.db, op, 'seller-name', '😀'.repeat(201))).rejects.toThrow('must be at most 200 characters');
    await expect(setSetting(t.db, op, 'seller-name', 'a\tb')).rejects.toThrow('must not contain control characters, tabs or line breaks');
    expect((await issueForSubscription(t.db, late, c, { on: '2027-01-01' })).number).toBe('FV-2027-00001');
    // a voided invoice keeps its number; the next one follows it
    await voidInvoice(t.db, late, 'FV-2027-00001', 'billed by mistake');
    expect((await issueForSubscription(t.db, late, d)).number).toBe('FV-2027-00002');
    expect((await issueForSubscription(t.db, late, c)).number).toBe('FV-2027-00003');
  });

  it('two writers at the same moment get consecutive numbers (on PostgreSQL two connections; on SQLite one, queued)', async () => {
    const [a, b] = [await add(), await add()];
    const { openTestDb } = await import('../helpers/db.js');
    const other = await openTestDb(t.path);
    try {
      // on SQLite a second in-process connection would block this thread (the spawning test covers it)
      const second = (await import('../helpers/engine.js')).onPostgres ? other.db : t.db;
      const results = await Promise.all([
        writeTx(t.db, (db) => issueForSubscription(db, op, a)),
        writeTx(second, (db) => issueForSubscription(db, op, b)),
      ]);
      expect(results.map((r) => r.number).sort()).toEqual(['INV-2026-00001', 'INV-2026-00002']);
    } finally {
      await other.close();
    }
  });
});

describe('instalments', () => {
  it('24-month terms in two: half each (odd cent first), school years, the second planned for the second year and issued when due', async () => {
    await t.db.updateTable('plan_prices').set({ amount_cents: 140_001 }).where('term_months', '=', 24).execute();
    const sub = await add({ term_months: 24 });
    const [first, second] = await billInInstalments(t.db, op, sub, 2);
    expect(first).toMatchObject({
      number: 'INV-2026-00001',
      instalment: 1,
      instalments: 2,
      period: '2026/2027',
      amount: '700.01',
      status: 'issued',
    });
    expect(second).toMatchObject({
      number: null,
      instalment: 2,
      period: '2027/2028',
      amount: '700.00',
      status: 'planned',
      planned_on: '2027-09-01',
    });
    expect(first!.lines[0]!.description).toContain('2026-09-01 – 2027-08-31');
    expect(second!.lines[0]!.description).toContain('2027-09-01 – 2028-08-31');
    expect(await issueDueInvoices(t.db, { ...op, asOf: '2027-08-31' })).toEqual({ issued: [], skipped: [] });
    const { issued } = await issueDueInvoices(t.db, { ...op, asOf: '2027-09-01' });
    expect(issued).toMatchObject([{ number: 'INV-2027-00001', issued_on: '2027-09-01', due_on: '2027-09-15', status: 'issued' }]);
    expect(await issueDueInvoices(t.db, { ...op, asOf: '2027-09-02' })).toEqual({ issued: [], skipped: [] });
  });

  it('refuses instalments of a 12-month term and other counts', async () => {
    const sub = await add();
    await expect(billInInstalments(t.db, op, sub, 2)).rejects.toThrow('instalments: "2": is only for 24-month terms');
    await expect(billInInstalments(t.db, op, await add({ term_months: 24 }), 3)).rejects.toThrow(InvalidDataError);
  });
});

describe('paying and voiding', () => {
  it('paying the first invoice pays the subscription (activation code); subscriptions pay issues and pays the invoice', async () => {
    const a = await add();
    const inv = await issueForSubscription(t.db, op, a, { on: '2026-11-20' });
    expect((await payInvoice(t.db, op, inv.number!, '2026-11-22')).status).toBe('paid');
    const subA = await showSubscription(t.db, op.asOf, a);
    expect(subA).toMatchObject({ paid_at: '2026-11-22', activation_code: expect.any(String) });
    await expect(payInvoice(t.db, op, inv.number!)).rejects.toThrow('is already paid');

    const b = await add();
    const subB = await paySubscriptionBilled(t.db, op, b, '2026-11-23');
    expect(subB).toMatchObject({ paid_at: '2026-11-23', activation_code: expect.any(String) });
    expect(await listInvoices(t.db, op, { status: 'paid' })).toMatchObject([
      { number: 'INV-2026-00001', paid_on: '2026-11-22' },
      { number: 'INV-2026-00002', subscription_external_id: b, issued_on: '2026-11-23', paid_on: '2026-11-23' },
    ]);
  });

  it('neither way of paying takes a day after today: the same rule, naming the option given; nothing is issued or paid', async () => {
    const a = await add();
    await expect(paySubscriptionBilled(t.db, op, a, '2026-11-26')).rejects.toThrow(
      'paid_at: "2026-11-26": must not be after today (2026-11-25)',
    );
    await expect(paySubscription(t.db, op, a, '2026-11-26')).rejects.toThrow('paid_at: "2026-11-26": must not be after today');
    expect(await listInvoices(t.db, op)).toEqual([]);
    const cli = await runCli(['subscriptions', 'pay', a, '--paid-at', '2026-12-10'], { db: t.path });
    expect(cli).toMatchObject({ code: 1, stderr: 'error: paid_at: "2026-12-10": must not be after today (2026-11-25)\n' });
    expect(await showSubscription(t.db, op.asOf, a)).toMatchObject({ paid_at: null });
    const inv = await issueForSubscription(t.db, op, a);
    await expect(payInvoice(t.db, op, inv.number!, '2026-11-26')).rejects.toThrow('on: "2026-11-26": must not be after today (2026-11-25)');
    expect(await paySubscriptionBilled(t.db, op, a, '2026-11-25')).toMatchObject({ paid_at: '2026-11-25' });
  });

  it('overdue is shown, filtered and counted on the as-of date; a paid invoice cannot be voided', async () => {
    const [a, b] = [await add(), await add()];
    await issueForSubscription(t.db, op, a, { on: '2026-11-01' });
    await issueForSubscription(t.db, op, b, { on: '2026-11-20' });
    const list = await listInvoices(t.db, op, { status: 'overdue' });
    expect(list).toMatchObject([{ number: 'INV-2026-00001', due_on: '2026-11-15', status: 'overdue', days_overdue: 10 }]);
    expect((await listInvoices(t.db, op, { status: 'issued' })).map((i) => i.number)).toEqual(['INV-2026-00002']);
    expect((await showInvoice(t.db, { ...op, asOf: '2026-11-15' }, 'inv-2026-00001')).status).toBe('issued');
    await payInvoice(t.db, op, 'INV-2026-00001');
    await expect(voidInvoice(t.db, op, 'INV-2026-00001', 'x')).rejects.toThrow(RefusedError);
    await expect(listInvoices(t.db, op, { status: 'late' })).rejects.toThrow('status: "late": must be one of');
  });
});

/** A planned invoice of the whole term, without an instalment (as an import plans it: the demo's trial). */
const planWhole = async (sub: string, on = '2026-12-12') => {
  const row = await t.db.selectFrom('subscriptions').selectAll().where('external_id', '=', sub).executeTakeFirstOrThrow();
  return insertInvoice(t.db, op, {
    account_id: row.account_id,
    subscription_id: row.id,
    lines_json: oneLine('Term', row.price_cents),
    amount_cents: row.price_cents,
    currency: 'EUR',
    planned_on: on,
    status: 'planned',
  });
};

describe('planned invoices by name', () => {
  it('one without an instalment is named by its subscription alone, and show, void and messages reach it by that name', async () => {
    const sub = await add();
    const planned = await planWhole(sub);
    expect(invoiceName(planned)).toBe(sub);
    expect(await showInvoice(t.db, op, sub)).toMatchObject({ number: null, instalment: null, status: 'planned' });
    expect(await showInvoice(t.db, op, sub.toLowerCase())).toMatchObject({ planned_on: '2026-12-12' });
    expect(await voidInvoice(t.db, op, sub, 'cancelled')).toMatchObject({ number: null, status: 'void', void_reason: 'cancelled' });
    await expect(showInvoice(t.db, op, sub)).rejects.toThrow(`invoice not found: "${sub}"`);
    await expect(showInvoice(t.db, op, 'nope')).rejects.toThrow(
      'number: "nope": must be an invoice number like INV-2026-00001 (a planned one: SUBSCRIPTION#2, or SUBSCRIPTION without an instalment)',
    );
    // an instalment is still SUBSCRIPTION#N
    await t.db.updateTable('plan_prices').set({ amount_cents: 140_000 }).where('term_months', '=', 24).execute();
    const long = await add({ term_months: 24 });
    const [, second] = await billInInstalments(t.db, op, long, 2);
    expect(invoiceName(second!)).toBe(`${long}#2`);
    expect(await showInvoice(t.db, op, `${long}#2`)).toMatchObject({ instalment: 2, status: 'planned' });
  });

  it('invoices print and void reach it on the command line', async () => {
    const sub = await add();
    await planWhole(sub);
    const printed = await runCli(['invoices', 'print', sub], { db: t.path });
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(printed.stdout.split('\n')[0]).toBe(`Planned invoice (${sub})`);
    expect(await runCli(['invoices', 'void', sub, '--reason', 'cancelled', '--yes'], { db: t.path })).toMatchObject({
      code: 0,
      stdout: `${sub}\n`,
    });
  });
});

describe('a cancelled subscription is not billed by issue --due', () => {
  it('its planned invoices whose day has come stay planned and are reported, with and without an instalment; taken back, they are issued', async () => {
    const whole = await add();
    await planWhole(whole, '2026-11-20');
    await t.db.updateTable('plan_prices').set({ amount_cents: 140_000 }).where('term_months', '=', 24).execute();
    const long = await add({ term_months: 24, start_date: '2024-09-01' });
    await billInInstalments(t.db, op, long, 2);
    const billed = await add();
    await planWhole(billed, '2026-11-21');
    await cancelSubscription(t.db, op, whole);
    await cancelSubscription(t.db, op, long);
    const out = await issueDueInvoices(t.db, op);
    expect(out.issued).toMatchObject([{ subscription_external_id: billed, status: 'issued' }]);
    expect(out.skipped).toMatchObject([
      {
        invoice: { subscription_external_id: long, instalment: 2, status: 'planned' },
        reason: `subscription ${long} is cancelled: a cancelled subscription is not billed`,
      },
      {
        invoice: { subscription_external_id: whole, instalment: null, status: 'planned' },
        reason: `subscription ${whole} is cancelled: a cancelled subscription is not billed`,
      },
    ]);
    expect((await listInvoices(t.db, op, { status: 'planned' })).length).toBe(2);
    // the command says so, naming each so that void reaches it
    const cli = await runCli(['invoices', 'issue', '--due'], { db: t.path });
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('0 planned invoice(s) issued');
    expect(cli.stderr).toContain(
      `warning: planned invoice ${whole} not issued: subscription ${whole} is cancelled: a cancelled subscription is not billed (void it: acctmgr invoices void ${whole} --reason TEXT)`,
    );
    expect(cli.stderr).toContain(`warning: planned invoice ${long}#2 not issued`);
    await t.db.updateTable('subscriptions').set({ status: 'active' }).where('external_id', '=', whole).execute();
    expect((await issueDueInvoices(t.db, op)).issued).toMatchObject([{ subscription_external_id: whole, status: 'issued' }]);
  });
});
