/**
 * A large invoices file on PostgreSQL is bulk-loaded (src/import/entities/invoices.ts, invoice-index.ts: new
 * invoices through COPY, every lookup — by number, by place in a year, a planned invoice by subscription and
 * instalment, another invoice billing a training — answered in memory from the stored invoices read whole and
 * the rows the file wrote). The same file row by row (`bulk: false`) must give the same error lines, counts and
 * stored rows, and undo must put everything back. On SQLite the importer stays row by row (as fast there): the
 * same test holds it to the same answers.
 */
import { describe, expect, it } from 'vitest';
import { copyStats } from '../../src/db/pg-copy.js';
import { BULK_MIN_BYTES } from '../../src/import/bulk/bulk-table.js';
import { undoBatch } from '../../src/import/undo.js';
import { onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { importLines, Importer, sameRun } from '../helpers/import.js';

const op = testOp({ asOf: '2026-06-30' });
let imp: Importer;
const t = eachTestDb(async () => {
  await t.seed.manager('anna');
  await t.seed.catalogue();
  imp = new Importer(t);
});

const ACCOUNTS = 200;
/** Rows of the file's body: more than BULK_MIN_BYTES. */
const BODY = 24_000;
/** A large file under load: more than the default timeout. */
const LARGE_FILE_MS = 300_000;
const HEADER =
  'number,account_external_id,subscription_external_id,training_id,instalment,instalments,period,amount,currency,planned_on,issued_on,due_on,paid_on,status,void_reason\n';
const inv = (year: number, n: number) => `INV-${year}-${String(n).padStart(5, '0')}`;

async function seed(): Promise<void> {
  const accounts = ['external_id,name,type,manager_login'];
  const subs = ['external_id,account_external_id,plan,students,term_months,start_date'];
  for (let a = 0; a < ACCOUNTS; a++) {
    accounts.push(`A${a},School ${a},school,anna`);
    subs.push(`SUB-${a},A${a},BIO-BASIC,100,12,2026-01-15`);
  }
  const trainings = ['account_external_id,topic,participants,source,price,currency'];
  for (const a of [0, 0, 0, 1]) trainings.push(`A${a},Assessment in class,12,cross_sell,300.00,EUR`);
  await importLines(imp, op, { accounts, subscriptions: subs, trainings });
  const stored = [
    `${inv(2025, 1)},A0,SUB-0,,,,2025/2026,10.00,EUR,,2025-10-01,2025-10-15,,issued,`,
    `${inv(2025, 2)},A0,SUB-0,,,,2025/2026,10.00,EUR,,2025-10-01,2025-10-15,,issued,`,
    `${inv(2025, 3)},A0,,TRN-000001,,,,300.00,EUR,,2025-11-01,2025-11-15,,issued,`,
    `,A1,SUB-1,,2,2,2026/2027,10.00,EUR,2027-01-15,,,,planned,`,
    `,A4,SUB-4,,,,2026/2027,10.00,EUR,2027-01-15,,,,planned,`,
  ];
  await importLines(imp, op, { invoices: [HEADER.trimEnd(), ...stored] });
}

/** Every kind of invoices row the importer treats apart, after a body over the bulk threshold. */
function invoicesFile(): string {
  const lines: string[] = [];
  for (let k = 0; k < BODY; k++) {
    const a = k % ACCOUNTS;
    const paid = k % 3 === 0 ? '2026-03-10' : '';
    lines.push(
      `${inv(2026, k + 1)},A${a},SUB-${a},,,,school year 2025/2026,40.00,EUR,,2026-03-01,2026-03-15,${paid},${paid ? 'paid' : 'issued'},`,
    );
  }
  lines.push(',A0,SUB-0,,3,3,2026/2027,10.00,EUR,2027-01-01,,,,planned,'); // a new planned invoice
  lines.push(',A0,SUB-0,,3,3,2026/2027,11.00,EUR,2027-01-01,,,,planned,'); // the same planned invoice again
  lines.push(',A1,SUB-1,,2,2,2026/2027,12.00,EUR,2027-02-01,,,,planned,'); // a stored planned invoice, updated
  lines.push(`${inv(2025, 1)},A0,SUB-0,,,,2025/2026,10.00,EUR,,2025-10-01,2025-10-15,2025-10-20,paid,`); // stored, now paid
  lines.push(`${inv(2025, 2)},A0,SUB-0,,,,2025/2026,10.00,EUR,,2025-10-01,2025-10-15,,issued,`); // stored, unchanged
  lines.push(`inv-2026-00005,A5,SUB-5,,,,,40.00,EUR,,2026-03-01,2026-03-15,,issued,`); // a duplicate, another spelling
  lines.push(`BIL-2026-00007,A7,SUB-7,,,,,40.00,EUR,,2026-03-01,2026-03-15,,issued,`); // the place of a row of the file
  lines.push(`BIL-2025-00001,A0,,,,,,1.00,EUR,,2025-12-01,2025-12-15,,issued,`); // the place of a stored invoice
  lines.push(`${inv(2026, 90_001)},A0,,TRN-000001,,,,300.00,EUR,,2026-04-01,2026-04-15,,issued,`); // billed by a stored invoice
  lines.push(`${inv(2026, 90_002)},A0,,TRN-000002,,,,300.00,EUR,,2026-04-01,2026-04-15,,issued,`); // billed here first…
  lines.push(`${inv(2026, 90_003)},A0,,TRN-000002,,,,300.00,EUR,,2026-04-02,2026-04-16,,issued,`); // …and again
  lines.push(`${inv(2026, 90_004)},A0,,TRN-000003,,,,300.00,EUR,,2026-04-02,2026-04-16,,void,billed by mistake`); // void: may
  lines.push(`${inv(2026, 90_005)},A0,,TRN-000003,,,,300.00,EUR,,2026-04-02,2026-04-16,,issued,`); // …then billed
  lines.push(`${inv(2026, 90_006)},A0,,TRN-000004,,,,300.00,EUR,,2026-04-02,2026-04-16,,issued,`); // another account's training
  lines.push(`${inv(2026, 90_007)},A0,,TRN-009999,,,,300.00,EUR,,2026-04-02,2026-04-16,,issued,`); // no such training
  lines.push(`${inv(2026, 90_008)},NOBODY,,,,,,1.00,EUR,,2026-04-02,2026-04-16,,issued,`); // no such account
  lines.push(`${inv(2026, 90_009)},A2,SUB-3,,,,,1.00,EUR,,2026-04-02,2026-04-16,,issued,`); // another account's subscription
  lines.push(`${inv(2026, 90_010)},A2,,,,,,1.00,EUR,,2025-04-02,2025-04-16,,issued,`); // the year of another issue date
  lines.push(`${inv(2026, 90_011)},A2,NOSUB,,,,,1.00,EUR,,2026-04-02,2026-04-16,,issued,`); // no such subscription
  lines.push(',A4,SUB-4,,,,2026/2027,10.00,EUR,2027-01-15,,,,planned,'); // a stored planned invoice without instalment, unchanged
  lines.push(',A6,SUB-6,,,,2026/2027,10.00,EUR,2027-01-01,,,,planned,'); // a new one…
  lines.push(',A6,SUB-6,,,,2026/2027,11.00,EUR,2027-01-01,,,,planned,'); // …and the same planned invoice again
  const csv = `${HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

/** What the invoices stored, by number and then subscription and instalment (ids differ between the runs). */
async function stored() {
  return t.db
    .selectFrom('invoices as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .leftJoin('subscriptions as s', 's.id', 'i.subscription_id')
    .leftJoin('trainings as tr', 'tr.id', 'i.training_id')
    .select(['i.number', 'i.number_key', 'i.year', 'i.seq', 'a.external_id', 's.external_id as subscription', 'tr.number as training'])
    .select(['i.instalment', 'i.instalments', 'i.period', 'i.lines_json', 'i.amount_cents', 'i.currency', 'i.planned_on'])
    .select(['i.issued_on', 'i.due_on', 'i.paid_on', 'i.status', 'i.void_reason', 'i.rev'])
    .orderBy('i.number_key')
    .orderBy('s.external_id')
    .orderBy('i.instalment')
    .execute();
}

describe('import: a large invoices file', () => {
  it(
    'bulk-loaded on PostgreSQL gives the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      await seed();
      const before = await stored();
      const csv = invoicesFile();

      const copied = { ...copyStats };
      const bulk = await imp.run('invoices', csv, { skipInvalid: true }, op);
      expect(bulk.notes.some((n) => n.startsWith('invoices: rows loaded with COPY'))).toBe(onPostgres);
      if (onPostgres) expect(copyStats.rows - copied.rows).toBeGreaterThan(BODY);
      const afterBulk = await stored();

      const at = (i: number) => `${imp.dir}/invoices.csv:${BODY + 1 + i}`;
      expect(bulk.errors).toEqual([
        `${at(2)}: number: "": duplicates line ${BODY + 2} (same invoice)`,
        `${at(6)}: number: "inv-2026-00005": duplicates line 6 (same invoice)`,
        `${at(7)}: number: "BIL-2026-00007": takes the place of invoice ${inv(2026, 7)} in 2026`,
        `${at(8)}: number: "BIL-2025-00001": takes the place of invoice ${inv(2025, 1)} in 2025`,
        `${at(9)}: training_id: "TRN-000001": training TRN-000001 is already billed by invoice ${inv(2025, 3)}`,
        `${at(11)}: training_id: "TRN-000002": training TRN-000002 is already billed by invoice ${inv(2026, 90_002)}`,
        `${at(14)}: training_id: "TRN-000004": is not a training of account A0`,
        `${at(15)}: training_id: "TRN-009999": no training with this key`,
        `${at(16)}: account_external_id: "NOBODY": no account with this external_id`,
        `${at(17)}: subscription_external_id: "SUB-3": is not a subscription of account A2`,
        `${at(18)}: number: "${inv(2026, 90_010)}": its year must be the year of issued_on (2025-04-02)`,
        `${at(19)}: subscription_external_id: "NOSUB": no subscription with this external_id`,
        `${at(22)}: number: "": duplicates line ${BODY + 22} (same invoice)`,
      ]);
      expect(bulk.summary.entities.invoices).toMatchObject({ inserted: BODY + 5, updated: 2, unchanged: 2, rejected: 13 });
      const row = (number: string | null, sub?: string, instalment?: number) =>
        afterBulk.find((r) => r.number === number && (sub === undefined || (r.subscription === sub && r.instalment === instalment)));
      expect(row(inv(2025, 1))).toMatchObject({ status: 'paid', paid_on: '2025-10-20' });
      expect(row(null, 'SUB-1', 2)).toMatchObject({ amount_cents: 1200, planned_on: '2027-02-01' });
      expect(row(null, 'SUB-0', 3)).toMatchObject({ amount_cents: 1000, status: 'planned' });
      expect(
        afterBulk.filter((r) => r.number === null && (r.subscription === 'SUB-4' || r.subscription === 'SUB-6')).map((r) => r.amount_cents),
      ).toEqual([1000, 1000]);
      expect(row(inv(2026, 90_005))).toMatchObject({ training: 3, status: 'issued' });
      expect(row(inv(2026, BODY))).toMatchObject({ external_id: `A${(BODY - 1) % ACCOUNTS}`, amount_cents: 4000 });

      await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:00:00Z' }), bulk.summary.batch_id!);
      expect(await stored()).toEqual(before);
      const perRow = await imp.run('invoices', csv, { skipInvalid: true, bulk: false }, op);
      expect(perRow.notes.some((n) => n.startsWith('invoices: rows loaded'))).toBe(false);
      expect(perRow.errors).toEqual(bulk.errors);
      expect(sameRun(perRow.summary)).toEqual(sameRun(bulk.summary));
      expect(await stored()).toEqual(afterBulk);
    },
    LARGE_FILE_MS,
  );
});
