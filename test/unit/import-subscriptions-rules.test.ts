/**
 * The rules the subscriptions importer shares with the commands (src/import/entities/subscriptions.ts):
 * a stored subscription keeps its account and product, money stays within integer cents, and a row that
 * changes the term or start gets the end date `add` would compute; a stored plan keeps its product and
 * currency, as `plans edit` does.
 */
import { describe, expect, it } from 'vitest';
import { listSubscriptions } from '../../src/subscriptions/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer, loadAll } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
  await loadAll(t);
});

const HEADER = 'external_id,account_external_id,plan,students,term_months,start_date\n';
/** The errors without the file name: `LINE: column: "value": rule`. */
const lines = (errors: readonly string[]) => errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'));

describe('import subscriptions: the rules of the commands', () => {
  it('refuses to move a stored subscription to another account or to a plan of another product', async () => {
    const before = await imp.snapshot();
    const out = await imp.run(
      'subscriptions',
      `${HEADER}SUB-2,TUT-001,BIO-BASIC,120,12,2026-01-15\nSUB-3,CO-001,BIO-BASIC,800,12,2026-09-01\n`,
    );
    expect(lines(out.errors)).toEqual([
      `2: account_external_id: "TUT-001": differs from the subscription's account: a subscription cannot move to another account`,
      '3: plan: "BIO-BASIC": is a plan of another product',
    ]);
    expect(await imp.snapshot()).toEqual(before);
    // the same account, written another way, and a plan of the same product are an update
    const ok = await imp.run('subscriptions', `${HEADER}sub-2,sch-001,BIO-OLD,120,12,2026-01-15\n`);
    expect(ok.errors).toEqual([]);
    expect(ok.summary).toMatchObject({ updated: 1 });
  });

  it('refuses a price past 2^53 − 1 cents on both engines (no float, no database error) and keeps the largest exactly', async () => {
    const before = await imp.snapshot();
    const out = await imp.run(
      'subscriptions',
      `${HEADER.trimEnd()},price\nPX-1,SCH-001,BIO-BASIC,50,12,2026-01-01,99999999999999999999999\nPX-2,SCH-001,BIO-BASIC,50,12,2026-01-01,90071992547409.92\n`,
    );
    expect(lines(out.errors)).toEqual([
      '2: price: "99999999999999999999999": must be an amount like 450.00 of at most 90071992547409.91',
      '3: price: "90071992547409.92": must be an amount like 450.00 of at most 90071992547409.91',
    ]);
    expect(await imp.snapshot()).toEqual(before);
    const ok = await imp.run('subscriptions', `${HEADER.trimEnd()},price\nPX-3,SCH-001,BIO-BASIC,50,12,2026-01-01,90071992547409.91\n`);
    expect(ok.errors).toEqual([]);
    const row = await t.db.selectFrom('subscriptions').select('price_cents').where('external_id', '=', 'PX-3').executeTakeFirstOrThrow();
    expect(Number(row.price_cents)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('an update changing the term or start without an end_date gets the end date add computes; a given one is kept', async () => {
    const end = async (id: string) =>
      (await t.db.selectFrom('subscriptions').select('end_date').where('external_id', '=', id).executeTakeFirstOrThrow()).end_date;
    expect((await imp.run('subscriptions', `${HEADER}U-1,SCH-001,BIO-BASIC,250,12,2026-01-15\n`)).errors).toEqual([]);
    expect(await end('U-1')).toBe('2027-01-14');
    expect((await imp.run('subscriptions', `${HEADER}U-1,SCH-001,BIO-BASIC,250,24,2026-01-15\n`)).summary).toMatchObject({ updated: 1 });
    expect(await end('U-1')).toBe('2028-01-14');
    await imp.run('subscriptions', `${HEADER}U-1,SCH-001,BIO-BASIC,250,24,2026-03-01\n`);
    expect(await end('U-1')).toBe('2028-02-29');
    // the same start and term: the stored end (given by an earlier file) stays; a given one is taken as given
    expect((await imp.run('subscriptions', `${HEADER}SUB-1,SCH-001,BIO-OLD,120,12,2025-01-15\n`)).summary).toMatchObject({ unchanged: 1 });
    await imp.run('subscriptions', `${HEADER.trimEnd()},end_date\nU-1,SCH-001,BIO-BASIC,250,12,2026-03-01,2026-12-31\n`);
    expect(await end('U-1')).toBe('2026-12-31');
  });

  it("refuses the renewals renew refuses: a second live successor, another account's or product's, one ending before", async () => {
    const R = 'external_id,account_external_id,plan,students,term_months,start_date,status,renewed_from_external_id\n';
    const before = await imp.snapshot();
    const out = await imp.run(
      'subscriptions',
      `${R}J-1,SCH-001,BIO-BASIC,250,12,2026-01-01,,\nJ-2,SCH-001,BIO-BASIC,250,12,2027-01-01,,J-1\n` +
        `J-3,SCH-001,BIO-BASIC,250,12,2027-01-01,,j-1\nJ-4,SCH-002,DIARY-MAX,250,12,2027-01-01,,J-1\n` +
        `J-5,SCH-001,BIO-BASIC,250,12,2025-01-01,,SUB-3\nJ-6,SCH-001,BIO-BASIC,250,12,2027-01-01,cancelled,J-1\n`,
    );
    expect(lines(out.errors)).toEqual([
      '4: renewed_from_external_id: "j-1": is already renewed by J-2',
      '5: renewed_from_external_id: "J-1": is a subscription of another account',
      '5: renewed_from_external_id: "J-1": is a subscription of another product',
      '5: renewed_from_external_id: "J-1": is already renewed by J-2',
      '6: renewed_from_external_id: "SUB-3": is a subscription of another account',
      '6: renewed_from_external_id: "SUB-3": is a subscription of another product',
      '6: renewed_from_external_id: "SUB-3": ends 2027-08-31, after this subscription\'s end_date 2025-12-31',
    ]);
    expect(out.summary).toMatchObject({ inserted: 3, rejected: 3 });
    expect(await imp.snapshot()).toEqual(before);
    // SUB-2 (stored) already renews SUB-1: a file's second successor is refused, a cancelled one is not
    const again = await imp.run(
      'subscriptions',
      `${R}K-1,SCH-001,BIO-OLD,120,12,2026-01-15,,SUB-1\nK-2,SCH-001,BIO-OLD,120,12,2026-01-15,cancelled,SUB-1\n`,
    );
    expect(lines(again.errors)).toEqual(['2: renewed_from_external_id: "SUB-1": is already renewed by SUB-2']);
  });

  it('counts a row refused by the checks at the end as rejected only, and lists every error in line order', async () => {
    const R = `${HEADER.trimEnd()},renewed_from_external_id\n`;
    const csv =
      `${R}C-1,SCH-001,BIO-BASIC,50,12,2026-01-01,\nC-2,SCH-001,BIO-BASIC,50,12,2026-01-01,NOPE\n` +
      `C-3,SCH-001,BIO-BASIC,50,12,2026-01-01,C-4\nC-4,SCH-001,BIO-BASIC,50,12,2026-01-01,C-3\nC-5,SCH-001,BIO-BASIC,0,12,2026-01-01,\n`;
    for (const dryRun of [false, true]) {
      const out = await imp.run('subscriptions', csv, { dryRun });
      expect(out.summary).toMatchObject({ inserted: 2, updated: 0, unchanged: 0, rejected: 3 });
      expect(lines(out.errors)).toEqual([
        '3: renewed_from_external_id: "NOPE": no subscription with this external_id (in the database or this file)',
        '4: renewed_from_external_id: "C-4": would make a renewal loop: C-3 → C-4 → C-3',
        '6: students: "0": must be at least 1',
      ]);
    }
    const cut = await imp.run('subscriptions', csv, { maxErrors: 1 });
    expect(lines(cut.errors)).toEqual([
      '3: renewed_from_external_id: "NOPE": no subscription with this external_id (in the database or this file)',
      '… and 2 more errors (--max-errors to see more)',
    ]);
  });

  it('subscriptions list sorts by end_date, then the fold of external_id, as export does', async () => {
    const ids = ['b-low', 'B-up', '_x', 'Z'];
    await imp.run('subscriptions', `${HEADER}${ids.map((id) => `${id},SCH-001,BIO-BASIC,50,12,2026-05-01`).join('\n')}\n`);
    const listed = await listSubscriptions(t.db, testOp({ asOf: '2027-04-30' }), { endingWithin: 0 });
    expect(listed.map((s) => s.external_id)).toEqual(['_x', 'b-low', 'B-up', 'Z']);
  });
});

describe('import plans: the rules of plans edit', () => {
  it('refuses to change the currency (or the product) of a stored plan; the same currency in another case is no change', async () => {
    const before = await imp.snapshot();
    const out = await imp.run('plans', 'code,name,product,currency\nBIO-BASIC,Basic,BIO,USD\nDIARY-MAX,Maximum,BIO,BGN\n');
    expect(lines(out.errors)).toEqual([
      `2: currency: "USD": differs from the plan's currency EUR: a plan's currency cannot change`,
      `3: product: "BIO": differs from the plan's product: a plan cannot move to another product`,
    ]);
    expect(await imp.snapshot()).toEqual(before);
    const same = await imp.run('plans', 'code,name,product,currency\nBIO-BASIC,Basic,BIO,eur\n');
    expect(same.errors).toEqual([]);
    expect(same.summary).toMatchObject({ unchanged: 1 });
  });
});
