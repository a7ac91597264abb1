/**
 * Invoices that bill a training (issue 14): `invoices issue --training`, the training's key in records,
 * import and export, the customer notices of such an invoice, and migration 0014 (invoices.training_id
 * references trainings; the rows there before survive it).
 */
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { payInvoice } from '../../src/composites/billing.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { ConflictError, NotFoundError, RefusedError } from '../../src/errors.js';
import { exportEntity } from '../../src/export/service.js';
import { invoiceDocument, invoiceText } from '../../src/invoices/document.js';
import { issueForSubscription, listInvoices, showInvoice, voidInvoice } from '../../src/invoices/service.js';
import { issueForTraining } from '../../src/invoices/training.js';
import { foldKey } from '../../src/lib/keys.js';
import { collectCustomerNotices } from '../../src/remind/customer.js';
import { composeCustomerMessage } from '../../src/remind/customer-message.js';
import { loadTemplates } from '../../src/remind/templates.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { addTraining, editTraining, includePackageTraining } from '../../src/trainings/service.js';
import { cancelTraining } from '../../src/trainings/steps.js';
import { onPostgres } from '../helpers/engine.js';
import { dbMigratedTo, eachTestDb, removeDb, tempDir, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';
import { undoBatch } from '../../src/import/undo.js';
import fs from 'node:fs';
import path from 'node:path';

const op = testOp(); // as of 2026-11-25
const t = eachTestDb(async () => {
  await t.seed.standardSet(op); // anna; SCH-1, SCH-2 (anna), TUT-1; plans BIO-BASIC …
});

/** TRN-000001: SCH-1, offsite on two days in February 2027, 3200.00 PLN. */
const OFFSITE = {
  account_external_id: 'SCH-1',
  topic: 'Formative assessment',
  participants: 24,
  format: 'offsite',
  venue: 'Hotel Panorama',
  dates: '2027-02-04;2027-02-05',
  source: 'cross_sell',
  price: '3200.00',
  currency: 'PLN',
};
/** A subscription of SCH-1 on BIO-BASIC with one training credit, and the training that came with it (TRN-000001 when first). */
async function packageTraining() {
  const sub = await addSubscription(t.db, op, {
    account_external_id: 'SCH-1',
    plan: 'BIO-BASIC',
    students: 150,
    term_months: 12,
    start_date: '2026-09-01',
  });
  await t.db.updateTable('plans').set({ included_training_credits: 1 }).where('code', '=', 'BIO-BASIC').execute();
  return { sub, pkg: (await includePackageTraining(t.db, op, sub.external_id))!.id };
}
const addOffsite = async (extra: Record<string, unknown> = {}) => (await addTraining(t.db, op, { ...OFFSITE, ...extra })).id;

describe('invoices issue --training', () => {
  it("bills the training's price in its currency on one line, for the school year of its first day; audited; shown by its key", async () => {
    const key = await addOffsite();
    const invoice = await issueForTraining(t.db, op, key, { dueDays: 30 });
    expect(invoice).toMatchObject({
      number: 'INV-2026-00001',
      account_external_id: 'SCH-1',
      subscription_external_id: null,
      training_id: 'TRN-000001',
      period: '2026/2027',
      amount: '3200.00',
      currency: 'PLN',
      issued_on: '2026-11-25',
      due_on: '2026-12-25',
      status: 'issued',
      lines: [
        {
          description: 'Training: Formative assessment, offsite, 2027-02-04 – 2027-02-05, 24 participants (TRN-000001)',
          quantity: 1,
          unit_price: '3200.00',
          amount: '3200.00',
        },
      ],
    });
    expect(await showInvoice(t.db, op, 'INV-2026-00001')).toEqual(invoice);
    expect((await listAudit(t.db, { entity: 'invoice' }))[0]).toMatchObject({ action: 'issue', key: 'INV-2026-00001' });
    // numbers stay one sequence with the subscriptions' invoices
    const sub = await addSubscription(t.db, op, {
      account_external_id: 'SCH-2',
      plan: 'BIO-BASIC',
      students: 150,
      term_months: 12,
      start_date: '2026-09-01',
    });
    expect((await issueForSubscription(t.db, op, sub.external_id)).number).toBe('INV-2026-00002');
    expect((await listInvoices(t.db, op, { training: 'trn-000001' })).map((i) => i.number)).toEqual(['INV-2026-00001']);
    await expect(listInvoices(t.db, op, { training: 'TRN-000099' })).rejects.toThrow(NotFoundError);
    // paying it touches no subscription
    expect((await payInvoice(t.db, op, 'INV-2026-00001', '2026-11-25')).status).toBe('paid');
  });

  it('without dates: the school year of the issue date; one participant, no format', async () => {
    const key = await addOffsite({ format: null, venue: null, dates: null, participants: 1, source: 'direct' });
    const invoice = await issueForTraining(t.db, op, key, { on: '2026-08-31' });
    expect(invoice.period).toBe('2025/2026');
    expect(invoice.lines[0]!.description).toBe('Training: Formative assessment, 1 participant (TRN-000001)');
  });

  it("prints with the training's account as the buyer and the training named", async () => {
    await t.db.updateTable('accounts').set({ registration_no: 'REG-2' }).where('external_id', '=', 'SCH-2').execute();
    const key = await addOffsite({ account_external_id: 'SCH-2' });
    await issueForTraining(t.db, op, key);
    const d = await invoiceDocument(t.db, op, 'INV-2026-00001');
    expect(d.buyer).toMatchObject({ name: 'SCH-2', registration_no: 'REG-2' });
    const text = invoiceText(d);
    expect(text).toMatch(/^Buyer:\n {2}SCH-2\n {2}Registration no\. REG-2\n/m);
    expect(text).toContain('Training: TRN-000001\n');
    expect(text).toContain('Training: Formative assessment, offsite');
  });

  it('refuses a package training, one without a price, a cancelled one and one already billed; nothing is written', async () => {
    const { sub, pkg } = await packageTraining();
    const unpriced = await addOffsite({ price: '0', currency: null, source: 'direct' });
    const cancelled = await addOffsite();
    await cancelTraining(t.db, op, cancelled, {});
    const refused = async (key: string) => (await issueForTraining(t.db, op, key).catch((e: unknown) => e)) as Error;
    const a = await refused(pkg);
    expect(a).toBeInstanceOf(RefusedError);
    expect(a.message).toBe(`training ${pkg} came with a package with subscription ${sub.external_id} (price 0): it is not billed`);
    const b = await refused(unpriced);
    expect(b).toBeInstanceOf(RefusedError);
    expect(b.message).toMatch(/^training TRN-000002 has no price \(0\.00\): nothing to bill/);
    const c = await refused(cancelled);
    expect(c).toBeInstanceOf(RefusedError);
    expect(c.message).toBe('training TRN-000003 is cancelled: a cancelled training is not billed');
    expect(await listInvoices(t.db, op)).toEqual([]);

    const billed = await addOffsite();
    await issueForTraining(t.db, op, billed);
    const d = await refused(billed);
    expect(d).toBeInstanceOf(ConflictError);
    expect(d.message).toBe('training TRN-000004 is already billed by invoice INV-2026-00001');
    // a void invoice no longer bills it
    await voidInvoice(t.db, op, 'INV-2026-00001', 'wrong price');
    expect((await issueForTraining(t.db, op, billed)).number).toBe('INV-2026-00002');
  });
});

describe('a billed training does not become a package training', () => {
  it('trainings edit and a trainings import row refuse source package while an invoice that is not void bills it; void, it may', async () => {
    const { sub } = await packageTraining(); // TRN-000001
    const billed = await addOffsite(); // TRN-000002
    await issueForTraining(t.db, op, billed); // INV-2026-00001
    const rule = `source: "package": a training billed by an invoice cannot come with a package: it is billed by invoice INV-2026-00001 (void that invoice first)`;
    const toPackage = { source: 'package', price: '0', subscription_external_id: sub.external_id };
    await expect(editTraining(t.db, op, billed, toPackage)).rejects.toThrow(rule);
    const im = new Importer(t);
    const before = await im.snapshot();
    const out = await im.run(
      'trainings',
      `id,account_external_id,topic,participants,source,price,subscription_external_id
${billed},SCH-1,Formative assessment,24,package,0,${sub.external_id}
`,
    );
    expect(out.errors.map((e) => e.replace(/^.*trainings\.csv:/, ''))).toEqual([`2: ${rule}`]);
    expect(await im.snapshot()).toEqual(before);
    // the round trip the refusal keeps: the invoices export imports as unchanged
    let csv = '';
    await exportEntity(t.handle, 'invoices', 'csv', (c) => void (csv += c));
    expect((await im.run('invoices', csv)).summary).toMatchObject({ unchanged: 1 });
    await voidInvoice(t.db, op, 'INV-2026-00001', 'sold as part of the package');
    expect(await editTraining(t.db, op, billed, toPackage)).toMatchObject({ source: 'package', price: '0.00' });
  });
});

const HEADER =
  'number,account_external_id,subscription_external_id,training_id,instalment,instalments,period,lines,amount,currency,planned_on,issued_on,due_on,paid_on,status,void_reason\n';

describe('import and export invoices with training_id', () => {
  it('training_id is the key TRN-000001 both ways (export → import unchanged); unknown, malformed, another account’s or with a subscription: row errors', async () => {
    await addOffsite();
    await addOffsite({ account_external_id: 'SCH-2' });
    const im = new Importer(t);
    const good = await im.run(
      'invoices',
      HEADER + `INV-2026-00003,SCH-1,,trn-000001,,,2026/2027,,3200.00,PLN,,2026-11-02,2026-11-16,,issued,\n`,
    );
    expect(good.errors).toEqual([]);
    expect((await listInvoices(t.db, op))[0]).toMatchObject({ number: 'INV-2026-00003', training_id: 'TRN-000001' });
    let csv = '';
    await exportEntity(t.handle, 'invoices', 'csv', (c) => void (csv += c));
    expect(csv.split('\n')[1]).toMatch(/^INV-2026-00003,SCH-1,,TRN-000001,,,2026\/2027,/);
    let json = '';
    await exportEntity(t.handle, 'invoices', 'json', (c) => void (json += c));
    expect(JSON.parse(json)).toMatchObject([{ training_id: 'TRN-000001' }]);
    expect((await im.run('invoices', csv)).summary).toMatchObject({ inserted: 0, unchanged: 1 });
    // billed by the import: the command refuses to bill it again
    await expect(issueForTraining(t.db, op, 'TRN-000001')).rejects.toThrow('is already billed by invoice INV-2026-00003');

    await addSubscription(t.db, op, {
      external_id: 'SUB-1',
      account_external_id: 'SCH-1',
      plan: 'BIO-BASIC',
      students: 150,
      term_months: 12,
      start_date: '2026-09-01',
    });
    const before = await im.snapshot();
    const bad = await im.run(
      'invoices',
      HEADER +
        `INV-2026-00004,SCH-1,,TRN-000077,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n` +
        `INV-2026-00005,SCH-1,,TRN-000002,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n` +
        `INV-2026-00006,SCH-1,,7,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n` +
        `INV-2026-00007,SCH-1,SUB-1,TRN-000001,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n`,
    );
    expect(bad.errors.map((e) => e.replace(/^.*invoices\.csv:/, ''))).toEqual([
      '2: training_id: "TRN-000077": no training with this key',
      '3: training_id: "TRN-000002": is not a training of account SCH-1',
      '4: training_id: "7": must be a key like TRN-000001',
      '5: training_id: "TRN-000001": an invoice bills a subscription or a training, not both',
      '5: training_id: "TRN-000001": training TRN-000001 is already billed by invoice INV-2026-00003',
    ]);
    expect(await im.snapshot()).toEqual(before);
  });

  it('a planned invoice of a training (no number) is matched by its training and instalment: imported again, or its own export, changes nothing', async () => {
    await addOffsite();
    await addOffsite();
    const im = new Importer(t);
    const file =
      HEADER +
      `,SCH-1,,TRN-000001,,,2026/2027,,3200.00,PLN,2026-12-01,,,,planned,\n` +
      `,SCH-1,,TRN-000002,1,2,2026/2027,,100.00,PLN,2026-12-01,,,,planned,\n`;
    const first = await im.run('invoices', file);
    expect(first.errors).toEqual([]);
    expect(first.summary).toMatchObject({ inserted: 2 });
    // it was refused as "already billed by invoice (planned)" before: the row was not matched to itself
    const again = await im.run('invoices', file);
    expect(again.errors).toEqual([]);
    expect(again.summary).toMatchObject({ inserted: 0, unchanged: 2 });
    let csv = '';
    await exportEntity(t.handle, 'invoices', 'csv', (c) => void (csv += c));
    expect((await im.run('invoices', csv)).summary).toMatchObject({ inserted: 0, unchanged: 2 });
    // another planned invoice of a training billed already is refused, named by the training and instalment
    const other = await im.run('invoices', HEADER + `,SCH-1,,TRN-000002,2,2,2026/2027,,100.00,PLN,2027-01-01,,,,planned,\n`);
    expect(other.errors.map((e) => e.replace(/^.*invoices\.csv:/, ''))).toEqual([
      '2: training_id: "TRN-000002": training TRN-000002 is already billed by invoice TRN-000002#1',
    ]);
    const changed = await im.run('invoices', HEADER + `,SCH-1,,TRN-000001,,,2026/2027,,3300.00,PLN,2026-12-02,,,,planned,\n`);
    expect(changed.errors).toEqual([]);
    expect(changed.summary).toMatchObject({ inserted: 0, updated: 1 });
    expect((await listInvoices(t.db, op)).map((i) => [i.training_id, i.instalment, i.amount, i.planned_on])).toEqual([
      ['TRN-000002', 1, '100.00', '2026-12-01'],
      ['TRN-000001', null, '3300.00', '2026-12-02'],
    ]);
  });
});

describe('import invoices: a training is billed once, and never one that came with a package', () => {
  it('refuses a row billing a training another invoice (not void) bills, in the database or earlier in the file, or a package training; nothing is written', async () => {
    const { sub, pkg } = await packageTraining(); // TRN-000001
    const billed = await addOffsite(); // TRN-000002
    await issueForTraining(t.db, op, billed); // INV-2026-00001
    await addOffsite(); // TRN-000003
    const im = new Importer(t);
    const before = await im.snapshot();
    const bad = await im.run(
      'invoices',
      HEADER +
        `INV-2026-00002,SCH-1,,${pkg},,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n` +
        `INV-2026-00003,SCH-1,,TRN-000002,,,,,1.00,EUR,,2026-11-03,2026-11-17,2026-11-04,paid,\n` +
        `INV-2026-00004,SCH-1,,TRN-000003,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n` +
        `INV-2026-00005,SCH-1,,trn-000003,,,,,1.00,EUR,,2026-11-03,2026-11-17,,issued,\n`,
    );
    expect(bad.errors.map((e) => e.replace(/^.*invoices\.csv:/, ''))).toEqual([
      `2: training_id: "${pkg}": training ${pkg} came with a package with subscription ${sub.external_id} (price 0): it is not billed`,
      '3: training_id: "TRN-000002": training TRN-000002 is already billed by invoice INV-2026-00001',
      '5: training_id: "trn-000003": training TRN-000003 is already billed by invoice INV-2026-00004',
    ]);
    expect(await im.snapshot()).toEqual(before);
  });

  it('a void invoice bills nothing, and importing the same invoice again is no second bill', async () => {
    const billed = await addOffsite(); // TRN-000001
    await issueForTraining(t.db, op, billed); // INV-2026-00001
    await voidInvoice(t.db, op, 'INV-2026-00001', 'wrong price');
    const im = new Importer(t);
    const rows =
      `INV-2026-00002,SCH-1,,TRN-000001,,,,,3200.00,PLN,,2026-11-03,2026-11-17,,issued,\n` +
      `INV-2026-00003,SCH-1,,TRN-000001,,,,,3200.00,PLN,,2026-11-03,,,void,duplicate\n`;
    const first = await im.run('invoices', HEADER + rows);
    expect(first.errors).toEqual([]);
    expect(first.summary).toMatchObject({ inserted: 2 });
    const again = await im.run('invoices', HEADER + rows.replace('2026-11-17,,issued', '2026-11-18,,issued'));
    expect(again.errors).toEqual([]);
    expect(again.summary).toMatchObject({ updated: 1, unchanged: 1 });
  });
});

describe('the reference from invoices to trainings', () => {
  it('import undo of a trainings batch is refused while an invoice bills one of its trainings; nothing is removed', async () => {
    const im = new Importer(t);
    const out = await im.run('trainings', 'account_external_id,topic,participants,price,currency\nSCH-1,Robotics,12,450.00,EUR\n');
    expect(out.errors).toEqual([]);
    await issueForTraining(t.db, op, 'TRN-000001');
    await expect(undoBatch(t.db, t.handle, op, out.summary.batch_id!)).rejects.toThrow('trainings 1: referred to by invoices added since');
    expect((await listInvoices(t.db, op, { training: 'TRN-000001' })).map((i) => i.number)).toEqual(['INV-2026-00001']);
  });
});

describe('customer notices of a training invoice', () => {
  it("go to the training account's billing contact, with its manager in Cc; {{training_id}} names the training", async () => {
    const sch1 = (await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'SCH-1').executeTakeFirstOrThrow()).id;
    await t.seed.set('contacts', await t.seed.contact(sch1, 'bursar@sch1.example', { name: 'Bursar' }), { role: 'billing' });
    await issueForTraining(t.db, op, await addOffsite());
    const notices = await collectCustomerNotices(t.db, op.asOf);
    expect(notices.map((n) => [n.kind, n.invoice.number, n.recipient.email, n.cc?.email, n.skip])).toEqual([
      ['invoice-issued', 'INV-2026-00001', 'bursar@sch1.example', 'anna@vendor.example', null],
    ]);
    const dir = tempDir('acctmgr-trn-templates-');
    try {
      fs.writeFileSync(
        path.join(dir, 'invoice-issued.en.txt'),
        'Subject: {{invoice_number}} for {{training_id}}\n\n{{amount}} {{currency}}\n',
      );
      const m = composeCustomerMessage(loadTemplates(dir), notices[0]!, op.asOf);
      expect(m).toMatchObject({ subject: 'INV-2026-00001 for TRN-000001', text: '3200.00 PLN\n', to: { email: 'bursar@sch1.example' } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 0014: invoices.training_id references trainings', () => {
  it('keeps every invoice and valid training id; clears one naming no training (audited); enforces the reference afterwards', async () => {
    const h = await dbMigratedTo('0013_manager_changes');
    const db = h.db as any;
    const NOW = '2026-01-01T00:00:00Z';
    try {
      const id = async (table: string, values: Record<string, unknown>) =>
        Number((await db.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow()).id);
      const account = await id('accounts', {
        external_id: 'A',
        external_id_key: 'a',
        name: 'A',
        type: 'school',
        status: 'active',
        created_at: NOW,
        updated_at: NOW,
      });
      const training = await id('trainings', {
        number: 1,
        account_id: account,
        topic: 'T',
        participants: 3,
        source: 'direct',
        price_cents: 5000,
        currency: 'EUR',
        status: 'requested',
        created_at: NOW,
        updated_at: NOW,
      });
      const invoice = (n: number, trainingId: number | null) => {
        const number = `INV-2026-${String(n).padStart(5, '0')}`;
        return id('invoices', {
          number,
          number_key: foldKey(number),
          year: 2026,
          seq: n,
          account_id: account,
          training_id: trainingId,
          lines_json: '[]',
          amount_cents: 5000,
          currency: 'EUR',
          issued_on: '2026-01-05',
          due_on: '2026-01-19',
          status: 'issued',
          created_at: NOW,
          updated_at: NOW,
        });
      };
      const good = await invoice(1, training);
      const dangling = await invoice(2, 999);
      const plain = await invoice(3, null);
      // the highest id was taken and given back (an import undone): it is never given again
      const gone = await invoice(4, null);
      await db.deleteFrom('invoices').where('id', '=', gone).execute();
      const before = await db.selectFrom('invoices').selectAll().orderBy('id').execute();

      expect((await migrateToLatest(h.db))[0]).toBe('0014_invoice_training');
      const after = await db.selectFrom('invoices').selectAll().orderBy('id').execute();
      // the cleared row's rev moves on (an import undo then sees it changed since)
      expect(after).toEqual(before.map((r: any) => (r.id === dangling ? { ...r, training_id: null, rev: Number(r.rev) + 1 } : r)));
      expect(after.map((r: any) => [Number(r.id), r.training_id === null ? null : Number(r.training_id)])).toEqual([
        [good, training],
        [dangling, null],
        [plain, null],
      ]);
      const audit = await db.selectFrom('audit_log').selectAll().where('entity', '=', 'invoice').execute();
      expect(audit).toMatchObject([{ action: 'migrate', entity_key: 'INV-2026-00002', before_json: '{"training_id":999}' }]);
      // the reference holds now, the rev trigger still bumps, and the next id follows the one given back
      const next = await invoice(5, training);
      expect(next).toBe(gone + 1);
      await expect(invoice(6, 12345)).rejects.toThrow(/foreign key/i);
      await db.updateTable('invoices').set({ status: 'paid' }).where('id', '=', good).execute();
      expect(Number((await db.selectFrom('invoices').select('rev').where('id', '=', good).executeTakeFirstOrThrow()).rev)).toBe(1);
      if (!onPostgres) {
        const fks = h.sqlite!.prepare(`select "table", "from" from pragma_foreign_key_list('invoices') order by "from"`).all();
        expect(fks).toEqual([
          { table: 'accounts', from: 'account_id' },
          { table: 'import_batches', from: 'import_batch_id' },
          { table: 'subscriptions', from: 'subscription_id' },
          { table: 'trainings', from: 'training_id' },
        ]);
        expect(h.sqlite!.pragma('foreign_key_check')).toEqual([]);
      } else {
        const { rows } = await sql<{
          name: string;
        }>`select conname as name from pg_constraint where conname = 'invoices_training_id_fkey'`.execute(db);
        expect(rows).toHaveLength(1);
      }
    } finally {
      const location = h.path;
      await h.close();
      await removeDb(location);
    }
  });
});
