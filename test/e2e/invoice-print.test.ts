/**
 * `invoices print`: the text document, and the HTML page rendered in a real headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core; ACCTMGR_TEST_CHROMIUM names another). The page must load
 * with no console error, no page error and no request beyond itself, show the invoice, and print to PDF.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { describe, expect, it } from 'vitest';
import { defineField, loadFieldDefs, writeValues } from '../../src/accounts/custom-fields.js';
import { setSetting } from '../../src/settings/service.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { dbFiles, runCli } from '../helpers/cli.js';
import { seededDb, tempDir, testOp } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';

const given = dbFiles();
const withInvoice = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    const op = testOp();
    await t.seed.standardSet(op);
    await t.db
      .updateTable('accounts')
      .set({ name: 'Oak & Ash <School>', registration_no: '0123' })
      .where('external_id', '=', 'SCH-1')
      .execute();
    await defineField(t.db, op, { name: 'address', type: 'text' });
    const sch = await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'SCH-1').executeTakeFirstOrThrow();
    await writeValues(t.db, sch.id, await loadFieldDefs(t.db), { address: '1 High Street, Leeds' });
    await setSetting(t.db, op, 'seller-name', 'EduSites Ltd');
    await setSetting(t.db, op, 'seller-vat-no', 'GB123456789');
    await addSubscription(t.db, op, {
      external_id: 'SUB-1',
      account_external_id: 'SCH-1',
      plan: 'BIO-BASIC',
      students: 150,
      term_months: 12,
      start_date: '2026-09-01',
    });
  }, at);
  expect((await runCli(['invoices', 'issue', '--subscription', 'SUB-1', '--on', '2026-11-02'], { db: at })).code).toBe(0);
});

describe('acctmgr invoices print', () => {
  it('text: seller, buyer with its address field, lines, total and due date', async () => {
    const db = await withInvoice();
    const r = await runCli(['invoices', 'print', 'INV-2026-00001'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Invoice INV-2026-00001\n');
    expect(r.stdout).toContain('Seller:\n  EduSites Ltd\n  VAT no. GB123456789\n');
    expect(r.stdout).toContain('Buyer:\n  Oak & Ash <School>\n  1 High Street, Leeds\n  Registration no. 0123\n');
    expect(r.stdout).toContain('Due: 2026-11-16\n');
    expect(r.stdout).toMatch(/\nTotal +EUR +800\.00\n$/);
    // a document, not a list: --json is refused, not dropped
    const json = await runCli(['invoices', 'print', 'INV-2026-00001', '--json'], { db });
    expect({ code: json.code, stdout: json.stdout }).toEqual({ code: 2, stdout: '' });
    expect(json.stderr).toContain('for the record as JSON use acctmgr invoices show NUMBER --json');
  });

  it('text: the columns stay aligned for the largest amount (2^53 − 1 cents, 17 characters)', async () => {
    const db = await withInvoice();
    const steps = [
      ['plans', 'add', '--code', 'BIG', '--name', 'Big', '--product', 'BIO', '--currency', 'EUR', '--modules', 'lessons'],
      ['plans', 'price', 'BIG', '--term', '12', '--amount', '90071992547409.91'],
      [
        'subscriptions',
        'add',
        '--account-external-id',
        'SCH-1',
        '--plan',
        'BIG',
        '--students',
        '5',
        '--term-months',
        '12',
        '--external-id',
        'BIG-1',
        '--start-date',
        '2026-11-01',
      ],
      ['invoices', 'issue', '--subscription', 'BIG-1', '--on', '2026-11-03'],
    ];
    for (const args of steps) {
      const r = await runCli(args, { db });
      expect(r.code, r.stderr).toBe(0);
    }
    const lines = (await runCli(['invoices', 'print', 'INV-2026-00002'], { db })).stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('Description'));
    const table = [lines[head]!, lines[head + 1]!, lines.find((l) => l.startsWith('Total'))!];
    expect(table[1]).toMatch(/ 90071992547409\.91$/);
    expect(table.map((l) => l.length)).toEqual([table[0]!.length, table[0]!.length, table[0]!.length]);
  });

  itSqlite(
    'HTML renders in headless Chromium without errors and prints to PDF (SQLite only: the page is the same on both engines)',
    async () => {
      const db = await withInvoice();
      const dir = tempDir('acctmgr-print-');
      const file = path.join(dir, 'invoice.html');
      expect((await runCli(['invoices', 'print', 'INV-2026-00001', '--html', '--out', file], { db })).code).toBe(0);
      expect((await runCli(['invoices', 'print', 'INV-2026-00001', '--html', '--out', dir], { db })).code).toBe(2);
      expect(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
      const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
        page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
        page.on('request', (r) => requests.push(r.url()));
        const response = await page.goto(`file://${file}`, { waitUntil: 'load' });
        expect(response?.ok()).toBe(true);
        expect(problems).toEqual([]);
        expect(requests).toEqual([`file://${file}`]);
        expect(await page.title()).toBe('Invoice INV-2026-00001');
        expect(await page.textContent('#total')).toBe('800.00');
        expect(await page.locator('.buyer').innerText()).toContain('Oak & Ash <School>');
        expect(await page.locator('#lines tbody tr').count()).toBe(1);
        const pdf = await page.pdf({ format: 'A4' });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
