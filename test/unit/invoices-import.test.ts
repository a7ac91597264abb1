import { describe, expect, it } from 'vitest';
import { exportEntity } from '../../src/export/service.js';
import { issueForSubscription, listInvoices } from '../../src/invoices/service.js';
import { undoBatch } from '../../src/import/undo.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp();
const t = eachTestDb(async () => {
  const sch = await t.seed.account('SCH-001');
  await t.seed.subscription('SUB-1', { account: sch, start_date: '2026-09-01', end_date: '2028-08-31' });
  await t.seed.account('SCH-002');
});
const HEADER =
  'number,account_external_id,subscription_external_id,instalment,instalments,period,lines,amount,currency,planned_on,issued_on,due_on,paid_on,status,void_reason\n';
const LINES = '"[{""description"":""Year 1"",""quantity"":1,""unit_price"":""400.00"",""amount"":""400.00""}]"';

async function exported(): Promise<string> {
  let out = '';
  await exportEntity(t.handle, 'invoices', 'csv', (c) => void (out += c));
  return out;
}

describe('import invoices', () => {
  it('takes billing history in every state; the next issued number follows the largest of its year; export → import is unchanged; undo', async () => {
    const im = new Importer(t);
    const file =
      HEADER +
      `INV-2026-00007,SCH-001,SUB-1,1,2,2026/2027,${LINES},400.00,eur,,2026-09-01,2026-09-15,2026-09-10,paid,\n` +
      `,SCH-001,SUB-1,2,2,2027/2028,,400.00,EUR,2027-09-01,,,,planned,\n` +
      `INV-2026-00008,SCH-002,,,,,,12.50,EUR,,2026-10-01,2026-10-15,,issued,\n` +
      `INV-2026-00009,SCH-002,,,,,,1.00,EUR,,2026-10-02,2026-10-16,,void,typo\n`;
    const out = await im.run('invoices', file);
    expect(out.errors).toEqual([]);
    expect(out.summary).toMatchObject({ inserted: 4 });
    const list = await listInvoices(t.db, op);
    expect(list.map((i) => [i.number, i.status, i.amount, i.lines.length])).toEqual([
      ['INV-2026-00007', 'paid', '400.00', 1],
      ['INV-2026-00008', 'overdue', '12.50', 1],
      ['INV-2026-00009', 'void', '1.00', 1],
      [null, 'planned', '400.00', 1],
    ]);
    const csv = await exported();
    expect((await im.run('invoices', csv)).summary).toMatchObject({ inserted: 0, unchanged: 4 });
    await t.seed.subscription('SUB-2');
    expect((await issueForSubscription(t.db, op, 'SUB-2')).number).toBe('INV-2026-00010');
  });

  it('a planned invoice without an instalment is matched by its subscription: the same file, or its own export, imported again changes nothing', async () => {
    const im = new Importer(t);
    const file = HEADER + `,SCH-001,SUB-1,,,2026/2027,,60.00,EUR,2026-12-01,,,,planned,\n`;
    expect((await im.run('invoices', file)).summary).toMatchObject({ inserted: 1 });
    expect((await im.run('invoices', file)).summary).toMatchObject({ inserted: 0, unchanged: 1, batch_id: null });
    const csv = await exported();
    expect((await im.run('invoices', csv)).summary).toMatchObject({ inserted: 0, unchanged: 1, batch_id: null });
    const changed = await im.run('invoices', HEADER + `,SCH-001,SUB-1,,,2026/2027,,61.00,EUR,2026-12-02,,,,planned,\n`);
    expect(changed.summary).toMatchObject({ inserted: 0, updated: 1 });
    // an instalment is another invoice of the same subscription
    const second = await im.run('invoices', HEADER + `,SCH-001,SUB-1,2,2,2027/2028,,60.00,EUR,2027-09-01,,,,planned,\n`);
    expect(second.summary).toMatchObject({ inserted: 1 });
    expect((await listInvoices(t.db, op)).map((i) => [i.subscription_external_id, i.instalment, i.amount, i.planned_on])).toEqual([
      ['SUB-1', null, '61.00', '2026-12-02'],
      ['SUB-1', 2, '60.00', '2027-09-01'],
    ]);
    expect((await im.run('invoices', await exported())).summary).toMatchObject({ inserted: 0, unchanged: 2 });
  });

  it('import undo removes the invoices it inserted', async () => {
    const out = await new Importer(t).run('invoices', HEADER + `INV-2026-00001,SCH-002,,,,,,12.50,EUR,,2026-10-01,2026-10-15,,issued,\n`);
    expect(out.summary).toMatchObject({ inserted: 1 });
    expect(await undoBatch(t.db, t.handle, op, out.summary.batch_id!)).toMatchObject({ deleted: 1 });
    expect(await listInvoices(t.db, op)).toEqual([]);
  });

  it('refuses a row breaking a rule, naming line, field and rule; nothing is written', async () => {
    const im = new Importer(t);
    const before = await im.snapshot();
    const out = await im.run(
      'invoices',
      HEADER +
        `INV-2025-00001,SCH-001,,,,,,10.00,EUR,,2026-01-05,2026-01-19,,issued,\n` +
        `INV-2026-00001,SCH-001,,,,,,10.00,EUR,2026-12-01,,,,planned,\n` +
        `INV-2026-00002,SCH-002,SUB-1,,,,${LINES},500.00,EUR,,2026-01-05,2026-01-19,,paid,\n` +
        `INV-2026-00003,SCH-001,,,,,,90071992547409.92,EUR,,2026-01-05,2026-01-04,,issued,\n` +
        `INV-2026-00004,SCH-001,,,,,,1.00,EUR,,2026-01-05,2026-01-19,,void,\n`,
    );
    expect(out.errors.map((e) => e.replace(/^.*invoices\.csv:/, ''))).toEqual([
      '2: number: "INV-2025-00001": its year must be the year of issued_on (2026-01-05)',
      '3: number: "INV-2026-00001": must be empty while planned (a number is given when it is issued)',
      '4: paid_on: "": is required for a paid invoice',
      expect.stringMatching(/^4: lines: .*: the lines add up to 400\.00, not the amount 500\.00$/),
      '4: subscription_external_id: "SUB-1": is not a subscription of account SCH-002',
      // the money rule of every amount (coerce), so in column order
      '5: amount: "90071992547409.92": must be an amount like 450.00 of at most 90071992547409.91',
      '5: due_on: "2026-01-04": must not be before issued_on 2026-01-05',
      '6: void_reason: "": is required for a void invoice',
    ]);
    expect(await im.snapshot()).toEqual(before);
  });

  it('currency is an ISO 4217 code, the rule of plans and trainings (a lower-case one is taken upper-case)', async () => {
    const im = new Importer(t);
    const before = await im.snapshot();
    const row = (n: number, currency: string) => `INV-2026-0000${n},SCH-001,,,,,,1.00,${currency},,2026-12-01,2026-12-10,,issued,\n`;
    const out = await im.run('invoices', HEADER + row(1, 'Euro dollars ß') + row(2, 'XYZ') + row(3, 'eur'));
    expect(out.errors.map((e) => e.replace(/^.*invoices\.csv:/, ''))).toEqual([
      '2: currency: "Euro dollars ß": must be a three-letter ISO 4217 code, e.g. EUR',
      '3: currency: "XYZ": is not an ISO 4217 currency code',
    ]);
    expect(await im.snapshot()).toEqual(before);
    expect((await im.run('invoices', HEADER + row(3, 'eur'))).errors).toEqual([]);
    expect((await listInvoices(t.db, op)).map((i) => i.currency)).toEqual(['EUR']);
  });
});
