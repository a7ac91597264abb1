/**
 * Customer notices about invoices through `acctmgr remind`: the stages and their windows, the billing
 * recipient rule, the manager in Cc, one message per notice in the account's locale, tutors without a
 * manager line, customer emails switched off (skipped), exactly once — against a real SMTP server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from '#kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/schema/index.js';
import { foldKey } from '../../src/lib/keys.js';
import { invoiceStages, type InvoiceInfo } from '../../src/remind/customer.js';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { seededDb, tempDir } from '../helpers/db.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const given = dbFiles();
const NOW = '2026-01-01T00:00:00Z';

async function invoice(
  db: Kysely<DB>,
  account: number,
  n: number,
  v: { issued_on: string; due_on: string; paid_on?: string; status: string },
) {
  const number = `INV-2026-${String(n).padStart(5, '0')}`;
  const line = { description: 'Subscription', quantity: 1, unit_price_cents: 80_000, amount_cents: 80_000 };
  await db
    .insertInto('invoices')
    .values({
      number,
      number_key: foldKey(number),
      year: 2026,
      seq: n,
      account_id: account,
      period: '2026/2027',
      lines_json: JSON.stringify([line]),
      amount_cents: 80_000,
      currency: 'EUR',
      issued_on: v.issued_on,
      due_on: v.due_on,
      paid_on: v.paid_on ?? null,
      status: v.status,
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
}

/** As of 2026-11-25: an issued invoice (billing contact), an overdue one (Bulgarian), a tutor's paid one, customer emails off, an account without contacts. */
const withInvoices = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async ({ db, seed }) => {
    const anna = await seed.manager('anna', { name: 'Anna Kowalski' });
    const en = await seed.account('SCH-EN', { manager: anna, name: 'Oak School' });
    await seed.contact(en, 'head@oak.example', { is_primary: true, name: 'Head' });
    await seed.set('contacts', await seed.contact(en, 'old-billing@oak.example', { status: 'removed' }), { role: 'billing' });
    await seed.set('contacts', await seed.contact(en, 'billing@oak.example', { name: 'Bursar' }), { role: 'billing' });
    const bg = await seed.account('SCH-BG', { manager: anna, name: 'СУ „Иван Вазов“', locale: 'bg' });
    await seed.contact(bg, 'direktor@bg.example', { is_primary: true, name: 'Мария' });
    const tut = await seed.account('TUT-1', { type: 'tutor', name: 'Tom Tutor' });
    await seed.contact(tut, 'tom@tutor.example', { is_primary: true, name: 'Tom' });
    const off = await seed.account('SCH-OFF', { manager: anna });
    await seed.contact(off, 'p@off.example', { is_primary: true });
    await seed.set('accounts', off, { customer_emails: 0 });
    await invoice(db, en, 1, { issued_on: '2026-11-20', due_on: '2026-12-04', status: 'issued' });
    await invoice(db, bg, 2, { issued_on: '2026-10-01', due_on: '2026-10-15', status: 'issued' });
    await invoice(db, tut, 3, { issued_on: '2026-11-01', due_on: '2026-11-15', paid_on: '2026-11-22', status: 'paid' });
    await invoice(db, off, 4, { issued_on: '2026-11-24', due_on: '2026-12-08', status: 'issued' });
    await invoice(db, await seed.account('SCH-NONE', { manager: anna }), 5, {
      issued_on: '2026-11-24',
      due_on: '2026-12-08',
      status: 'issued',
    });
  }, at);
});

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});

describe('customer notices about invoices', () => {
  it('stages and windows: issued (while unpaid) and paid for 30 days; overdue +1d, +14d, +30d on [+1,+14), [+14,+30), [+30,+60); none once paid or void', () => {
    const inv = (status: string, paid_on: string | null = null): InvoiceInfo =>
      ({ id: 1, number: 'INV-2026-00001', issued_on: '2026-10-01', due_on: '2026-10-15', paid_on, status }) as InvoiceInfo;
    const at = (i: InvoiceInfo, asOf: string) => invoiceStages(i, asOf).map((s) => `${s.stage}@${s.due_date}`);
    expect(at(inv('issued'), '2026-10-01')).toEqual(['invoice-issued@2026-10-01']);
    expect(at(inv('issued'), '2026-10-15')).toEqual(['invoice-issued@2026-10-01']);
    expect(at(inv('issued'), '2026-10-16')).toEqual(['invoice-issued@2026-10-01', 'overdue+1d@2026-10-16']);
    const overdue = (asOf: string) => at(inv('issued'), asOf).filter((x) => x.startsWith('overdue'));
    expect(at(inv('issued'), '2026-10-31')).toEqual(['overdue+14d@2026-10-29']); // invoice-issued sendable on [10-01, 10-31)
    expect(overdue('2026-10-28')).toEqual(['overdue+1d@2026-10-16']);
    expect(overdue('2026-10-29')).toEqual(['overdue+14d@2026-10-29']);
    expect(overdue('2026-11-13')).toEqual(['overdue+14d@2026-10-29']);
    expect(overdue('2026-11-14')).toEqual(['overdue+30d@2026-11-14']);
    expect(overdue('2026-12-13')).toEqual(['overdue+30d@2026-11-14']);
    expect(overdue('2026-12-14')).toEqual([]);
    expect(at(inv('paid', '2026-10-10'), '2026-10-10')).toEqual(['invoice-paid@2026-10-10']);
    expect(at(inv('void'), '2026-10-20')).toEqual([]);
    expect(invoiceStages(inv('issued'), '2026-11-14')[0]!.earlier.map((e) => e.stage)).toEqual(['overdue+1d', 'overdue+14d']);
  });

  it('preview lists them with invoice_number; --send delivers one message per notice to the customer with the manager in Cc, once', async () => {
    const db = await withInvoices();
    const preview = await runJson<any[]>(['remind'], { db });
    expect(preview.map((n) => [n.kind, n.stage, n.recipient_email, n.invoice_number, n.status])).toEqual([
      ['invoice-issued', 'invoice-issued', '', 'INV-2026-00005', 'skipped'],
      ['invoice-issued', 'invoice-issued', 'billing@oak.example', 'INV-2026-00001', 'due'],
      ['invoice-overdue', 'overdue+30d', 'direktor@bg.example', 'INV-2026-00002', 'due'],
      ['invoice-issued', 'invoice-issued', 'p@off.example', 'INV-2026-00004', 'skipped'],
      ['invoice-paid', 'invoice-paid', 'tom@tutor.example', 'INV-2026-00003', 'due'],
    ]);
    const env = {
      ACCTMGR_SMTP_URL: smtp.url,
      ACCTMGR_MAIL_FROM: 'billing@vendor.example',
      ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
    };
    const sent = await runCli(['remind', '--send'], { db, env });
    expect(sent.code, sent.stderr).toBe(0);
    const mine = smtp.messages.filter((m) => m.refs.some((r) => r.startsWith('invoice-')));
    expect(mine.map((m) => [m.to.sort().join(' '), m.subject]).sort()).toEqual([
      ['anna@vendor.example billing@oak.example', 'Invoice INV-2026-00001 from your supplier: 800.00 EUR, due 2026-12-04'],
      ['anna@vendor.example direktor@bg.example', 'Напомняне: падежът на фактура INV-2026-00002 беше 2026-10-15'],
      ['tom@tutor.example', 'Payment received for invoice INV-2026-00003'],
    ]);
    const en = mine.find((m) => m.to.includes('billing@oak.example'))!;
    expect(en.raw).toMatch(/^Cc: "?Anna Kowalski"? <anna@vendor\.example>/m);
    expect(en.text).toContain('Hello Bursar,');
    expect(en.text).toContain('Your account manager: Anna Kowalski <anna@vendor.example>');
    const tutor = mine.find((m) => m.subject.startsWith('Payment'))!;
    expect(tutor.raw).not.toMatch(/^Cc:/m);
    expect(tutor.text).not.toContain('account manager');
    expect(mine.find((m) => m.to.includes('direktor@bg.example'))!.text).toContain('дни след падежа: 41');
    const ledger = await runJson<any[]>(['notices', 'list'], { db });
    expect(ledger.filter((n) => n.invoice_number === 'INV-2026-00002').map((n) => [n.stage, n.status])).toEqual(
      expect.arrayContaining([
        ['overdue+30d', 'sent'],
        ['overdue+1d', 'skipped'],
        ['overdue+14d', 'skipped'],
      ]),
    );
    expect(ledger.find((n) => n.invoice_number === 'INV-2026-00004')).toMatchObject({
      status: 'skipped',
      reason: 'customer emails are switched off for the account',
    });
    expect(ledger.find((n) => n.invoice_number === 'INV-2026-00005')).toMatchObject({
      status: 'skipped',
      recipient_email: null,
      reason: 'the account has no billing contact and no primary contact that is not removed',
    });
    const count = smtp.messages.length;
    expect((await runCli(['remind', '--send'], { db, env })).code).toBe(0);
    expect(smtp.messages.length).toBe(count);
  });

  it('a customer message whose Cc the server refuses is sent and never sent again; the run names it and exits 1', async () => {
    const db = await withInvoices();
    const env = {
      ACCTMGR_SMTP_URL: smtp.url,
      ACCTMGR_MAIL_FROM: 'billing@vendor.example',
      ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
    };
    const before = smtp.messages.length;
    smtp.reject.add('anna@vendor.example');
    try {
      const first = await runCli(['remind', '--send', '--quiet'], { db, env });
      expect(first.code).toBe(1);
      const ledger = await runJson<any[]>(['notices', 'list', '--status', 'sent'], { db });
      const n = ledger.find((x) => x.invoice_number === 'INV-2026-00001')!;
      expect(n.reason).toBe('the copy (Cc) to anna@vendor.example was refused (550 mailbox unavailable)');
      expect(first.stderr).toContain(
        `error: sent without its copy: invoice-issued invoice-issued of invoice INV-2026-00001 (account SCH-EN) to billing@oak.example ` +
          `(notice ${n.id}): the copy (Cc) to anna@vendor.example was refused (550 mailbox unavailable); not sent again\n`,
      );
      // --quiet: the error lines only, no summary, no warning
      expect(first.stderr).not.toMatch(/^(sent|warning)/m);
      expect(
        smtp.messages
          .slice(before)
          .map((m) => m.to.join(' '))
          .sort(),
      ).toEqual(['billing@oak.example', 'direktor@bg.example', 'tom@tutor.example']);
    } finally {
      smtp.reject.delete('anna@vendor.example');
    }
    const again = await runCli(['remind', '--send'], { db, env });
    expect(again.code, again.stderr).toBe(0);
    expect(smtp.messages.length - before).toBe(3);
  });

  it('a customer notice left in doubt is named by its id, and the next run offers --retry-in-doubt while its stage lasts', async () => {
    const db = await withInvoices();
    const env = {
      ACCTMGR_SMTP_URL: smtp.url,
      ACCTMGR_MAIL_FROM: 'billing@vendor.example',
      ACCTMGR_SMTP_TIMEOUT_MS: '300',
      ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
    };
    smtp.hang = true;
    let first;
    try {
      first = await runCli(['remind', '--send'], { db, env });
    } finally {
      smtp.hang = false;
    }
    expect(first.code).toBe(1);
    const doubt = await runJson<any[]>(['notices', 'list', '--status', 'in_doubt'], { db });
    expect(doubt).toHaveLength(3);
    for (const n of doubt) expect(first.stderr).toContain(`to ${n.recipient_email} (notice ${n.id}): no answer after the message data`);
    const next = await runCli(['remind', '--send'], { db, env });
    expect(next.code).toBe(1);
    for (const n of doubt)
      expect(next.stderr).toContain(
        `(notice ${n.id}); check the mail server's log, then record what happened: acctmgr notices settle ${n.id} --as sent|unsent ` +
          '(or rerun with --retry-in-doubt to send it again)',
      );
    // past the stages' windows: no retry to offer
    const late = await runCli(['remind', '--send', '--as-of', '2027-06-01'], { db, env });
    expect(late.stderr.match(/in doubt since an earlier run/g)).toHaveLength(3);
    expect(late.stderr).not.toContain('--retry-in-doubt');
  });

  it('accounts edit --no-customer-emails and the customer_emails column of account CSVs switch them off and on (audited)', async () => {
    const db = await withInvoices();
    const edited = await runJson<any>(['accounts', 'edit', 'SCH-EN', '--no-customer-emails'], { db });
    expect(edited.customer_emails).toBe(false);
    const file = path.join(tempDir(), 'accounts.csv');
    fs.writeFileSync(file, 'external_id,name,type,customer_emails\nSCH-EN,Oak School,school,yes\nSCH-BG,,,false\n');
    expect((await runCli(['import', 'accounts', file], { db })).code).toBe(0);
    const list = await runJson<any[]>(['accounts', 'list'], { db });
    expect(list.filter((a) => !a.customer_emails).map((a) => a.external_id)).toEqual(['SCH-BG', 'SCH-OFF']);
    const preview = await runJson<any[]>(['remind'], { db });
    expect(preview.find((n) => n.invoice_number === 'INV-2026-00002')).toMatchObject({ status: 'skipped' });
    const audit = await runJson<any[]>(['audit', '--entity', 'account', '--key', 'SCH-EN'], { db });
    expect(audit[0]).toMatchObject({ action: 'edit', before: { customer_emails: true }, after: { customer_emails: false } });
  });

  it('--preview-email prints what --send would deliver (From, To, Cc, Subject, body), one after another; --recipient filters; nothing recorded', async () => {
    const db = await withInvoices();
    const env = { ACCTMGR_MAIL_FROM: 'billing@vendor.example', ACCTMGR_CONFIG: path.join(tempDir(), 'none.json') };
    const r = await runCli(['remind', '--preview-email', '--recipient', 'direktor@bg.example'], { db, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'From: billing@vendor.example',
        'To: Мария <direktor@bg.example>',
        'Cc: Anna Kowalski <anna@vendor.example>',
        'Subject: Напомняне: падежът на фактура INV-2026-00002 беше 2026-10-15',
        '',
        'Здравейте, Мария,',
        '',
        'фактура INV-2026-00002 за СУ „Иван Вазов“ (800.00 EUR, издадена на 2026-10-01) беше с падеж 2026-10-15; дни след падежа: 41.',
        'Ако вече сте я платили, моля, не обръщайте внимание на това съобщение; в противен случай моля, платете я, като посочите номера на фактурата.',
        '',
        'Вашият акаунт мениджър: Anna Kowalski <anna@vendor.example>',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain('1 message(s) would be sent on 2026-11-25');
    // the manager's copies: every customer message with anna in Cc (the tutor's has no manager)
    const anna = await runJson<any[]>(['remind', '--preview-email', '--recipient', 'ANNA@vendor.example'], { db, env });
    expect(anna.map((m) => [m.to, m.cc])).toEqual([
      ['Bursar <billing@oak.example>', 'Anna Kowalski <anna@vendor.example>'],
      ['Мария <direktor@bg.example>', 'Anna Kowalski <anna@vendor.example>'],
    ]);
    expect(await runJson(['notices', 'list'], { db })).toEqual([]);
    expect((await runCli(['remind', '--recipient', 'x@y.example'], { db })).code).toBe(2);
  });

  it('tutors are written to as the customer: renewal-customer and activation-customer wording, never "talk to" themselves', async () => {
    const db = await seededDb(async ({ seed }) => {
      const tut = await seed.account('TUT-9', { type: 'tutor', name: 'Tom Tutor' });
      await seed.contact(tut, 'tom@tutor.example', { is_primary: true, name: 'Tom' });
      await seed.subscription('S-TUT', { account: tut, manager: null, end_date: '2026-12-09' });
      await seed.subscription('S-TUT-2', { account: tut, manager: null, paid_at: '2026-11-24', activation_code: 'KQ7H-M3XW-RP9D-TB4E' });
    }, given.fresh());
    const r = await runCli(['remind', '--preview-email'], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('To: Tom <tom@tutor.example>');
    expect(r.stdout).toContain(
      'Your subscription S-TUT to Biology site, plan Basic (100 students, 2026-01-15 to 2026-12-09) ends in 2 weeks.',
    );
    expect(r.stdout).toContain('To renew it, simply reply to this message.');
    expect(r.stdout).toContain('Your activation code: KQ7H-M3XW-RP9D-TB4E');
    expect(r.stdout).not.toMatch(/talk to|pass it on/i);
  });
});
