/**
 * A large subscriptions file is bulk-loaded (src/import/entities/subscriptions.ts: the key in memory, new rows
 * in multi-row INSERTs on SQLite and COPY on PostgreSQL, the accounts read whole, renewals named later in the
 * file set after the rows): the same file row by row (`bulk: false`) must give the same error lines, counts
 * and stored data, and undo must put everything back, on both databases.
 */
import { describe, expect, it } from 'vitest';
import { copyStats } from '../../src/db/pg-copy.js';
import { BULK_MIN_BYTES } from '../../src/import/bulk/bulk-table.js';
import { undoBatch } from '../../src/import/undo.js';
import { onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer, sameRun } from '../helpers/import.js';

const op = testOp({ asOf: '2026-03-31' });
let imp: Importer;
const t = eachTestDb(async () => {
  await t.seed.seatSet(op);
  imp = new Importer(t);
});

const ROWS = 21_000;
/** A large file under load: more than the default timeout. */
const LARGE_FILE_MS = 300_000;
const HEADER =
  'external_id,account_external_id,plan,students,term_months,start_date,end_date,price,manager_login,renewed_from_external_id\n';
/** Long keys: the file must pass the bulk threshold with few rows (row by row is slow on PostgreSQL). */
const id = (i: number) => `SUBSCRIPTION-2026-OF-THE-PRIMARY-SCHOOL-NUMBER-${i}`;

/** Every kind of row the subscriptions importer treats apart, in a file over the bulk threshold. */
function bigFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    let from = '';
    if (i % 10 === 1) from = id(i - 1); // renews the row before
    if (i % 10 === 2) from = id(i + 5).toLowerCase(); // renews one later in the file, another spelling
    const price = i % 3 === 0 ? '480.00' : ''; // given, or computed from the plan's prices
    // a ten rows' account: a renewal is of the same account (src/subscriptions/rules.ts)
    lines.push(`${id(i)},SCH-${2 - (Math.floor(i / 10) % 2)},BIO-BASIC,100,12,2026-01-15,,${price},,${from}`);
  }
  lines[3] = `${id(3)},NOWHERE,BIO-BASIC,100,12,2026-01-15,,,,`; // no such account
  lines[4] = `${id(4)},SCH-1,NO-PLAN,100,12,2026-01-15,,,,`; // no such plan
  lines[5] = `${id(5)},SCH-1,BIO-BASIC,100,12,2026-01-15,2025-12-31,,,`; // ends before it starts
  lines[6] = `${id(6)},TUT-1,BIO-BASIC,100,12,2026-01-15,,,anna,`; // a tutor's subscription has no manager
  lines[8] = `${id(8)},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,${id(8)}`; // renews itself
  lines[10] = `${id(10)},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,${id(11)}`; // 10 → 11 → 10: a loop
  lines[11] = `${id(11)},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,${id(10)}`;
  lines[12] = `${id(12)},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,S1`; // renews the stored one
  lines[13] = `${id(13)},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,NOBODY`; // renews nobody
  lines.push(`${id(20).toLowerCase()},SCH-1,BIO-BASIC,100,12,2026-01-15,,,,`); // line 22's key again
  lines.push('S1,SCH-1,BIO-BASIC,100,12,2026-01-15,,990.00,,'); // the stored subscription, a new price
  const csv = `${HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

/** What the import stored, with references by key (ids differ between the runs). */
async function stored() {
  return t.db
    .selectFrom('subscriptions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .leftJoin('subscriptions as f', 'f.id', 's.renewed_from_id')
    .leftJoin('managers as m', 'm.id', 's.manager_id')
    .select([
      's.external_id',
      's.external_id_key',
      'a.external_id as account',
      's.start_date',
      's.end_date',
      's.price_cents',
      's.status',
      's.rev',
      'f.external_id as renewed_from',
      'm.login as manager',
    ])
    .orderBy('s.external_id_key')
    .execute();
}

describe('import: a large subscriptions file', () => {
  it(
    'bulk-loaded gives the same errors, counts and rows as row by row, and undo puts everything back',
    async () => {
      const before = await stored();
      const csv = bigFile();
      const copied = { ...copyStats };
      const bulk = await imp.run('subscriptions', csv, { skipInvalid: true }, op);
      expect(bulk.notes.some((n) => /^subscriptions: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      // COPY on PostgreSQL, twice: --skip-invalid runs the file again without the rows the end's checks refused
      if (onPostgres) expect(copyStats.rows - copied.rows).toBeGreaterThan(2 * (ROWS - 20));
      const afterBulk = await stored();

      const file = `${imp.dir}/subscriptions.csv`;
      expect(bulk.errors).toEqual([
        `${file}:5: account_external_id: "NOWHERE": no account with this external_id (in the database or the accounts imported with it)`,
        `${file}:6: plan: "NO-PLAN": no plan with this code (in the database or the plans imported with it)`,
        `${file}:7: end_date: "2025-12-31": is before start_date 2026-01-15`,
        `${file}:8: manager_login: "anna": must be empty for a tutor account (a private tutor is both subscriber and user, with no manager)`,
        `${file}:10: renewed_from_external_id: "${id(8)}": is the subscription itself`,
        `${file}:12: renewed_from_external_id: "${id(11)}": would make a renewal loop: ${id(10)} → ${id(11)} → ${id(10)}`,
        `${file}:13: renewed_from_external_id: "${id(10)}": no subscription with this external_id (in the database or this file)`,
        `${file}:15: renewed_from_external_id: "NOBODY": no subscription with this external_id (in the database or this file)`,
        `${file}:${ROWS + 2}: external_id: "${id(20).toLowerCase()}": duplicates line 22 (same external_id)`,
      ]);
      expect(bulk.summary.entities.subscriptions).toMatchObject({ updated: 1, unchanged: 0, rejected: 9 });
      const byKey = new Map(afterBulk.map((s) => [s.external_id, s]));
      const computed = before.find((s) => s.external_id === 'S1')!.price_cents; // the plan's price, as `add` computed it
      expect(byKey.get(id(1))).toMatchObject({ renewed_from: id(0), price_cents: computed, manager: 'anna' });
      expect(byKey.get(id(2))).toMatchObject({ renewed_from: id(7) });
      expect(byKey.get(id(12))).toMatchObject({ renewed_from: 'S1', price_cents: computed });
      expect(byKey.get(id(9))).toMatchObject({ price_cents: 48000 });
      expect(byKey.get('S1')).toMatchObject({ price_cents: 99000 });

      await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:00:00Z' }), bulk.summary.batch_id!);
      expect(await stored()).toEqual(before);

      const perRow = await imp.run('subscriptions', csv, { skipInvalid: true, bulk: false }, op);
      expect(perRow.notes.some((n) => n.startsWith('subscriptions: rows loaded'))).toBe(false);
      expect(perRow.errors).toEqual(bulk.errors);
      expect(sameRun(perRow.summary)).toEqual(sameRun(bulk.summary));
      expect(await stored()).toEqual(afterBulk);
    },
    LARGE_FILE_MS,
  );
});
