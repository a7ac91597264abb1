import { describe, expect, it } from 'vitest';
import type { Kysely } from '#kysely';
import { addActivity } from '../../src/activities/service.js';
import { fairUseReport } from '../../src/activities/report.js';
import { listAudit } from '../../src/audit/audit.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { addPlan, editPlan, showPlan } from '../../src/plans/service.js';
import { dbMigratedTo, eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
let sch = 0;
const t = eachTestDb(async () => {
  sch = await t.seed.account('SCH-001', { manager: await t.seed.manager('anna') });
});
const session = (kind: string, at: string) => addActivity(t.db, op, { account_external_id: 'SCH-001', kind, subject: 's', at });

/** A plan of the seeder's product BIO with these limits, and a subscription of SCH-001 on it. */
async function subscribe(code: string, limits: Record<string, unknown>, sub: { start_date: string; end_date: string; status?: string }) {
  await t.seed.subscription(`SUB-${code}`, { account: sch, ...sub }); // makes BIO and its plan BASIC first
  await addPlan(t.db, op, { code, name: code, product: 'BIO', currency: 'EUR', ...limits });
  const planId = (await t.db.selectFrom('plans').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  await t.db.updateTable('subscriptions').set({ plan_id: planId }).where('external_id', '=', `SUB-${code}`).execute();
}

describe('plan limits', () => {
  it('plans add|edit take a number, 0 for none, or unlimited; the defaults are 2, 5, 1; edits are audited', async () => {
    await t.seed.subscription('SUB-0', { account: sch });
    const p = await addPlan(t.db, op, {
      code: 'P1',
      name: 'P1',
      product: 'BIO',
      currency: 'EUR',
      sessions_per_week: 'Unlimited',
      trainings_per_year: '0',
    });
    expect(p).toMatchObject({ sessions_per_week: 'unlimited', sessions_per_month: 5, trainings_per_year: 0 });
    await expect(addPlan(t.db, op, { code: 'P2', name: 'P2', product: 'BIO', currency: 'EUR', sessions_per_month: '-1' })).rejects.toThrow(
      'sessions_per_month: "-1": must be at least 0',
    );
    await expect(editPlan(t.db, op, 'P1', { sessions_per_week: 'lots' })).rejects.toThrow(
      'sessions_per_week: "lots": must be a whole number (0 means none) or unlimited',
    );
    const e = await editPlan(t.db, op, 'p1', { sessions_per_week: '3', sessions_per_month: 'unlimited' });
    expect(e).toMatchObject({ sessions_per_week: 3, sessions_per_month: 'unlimited', trainings_per_year: 0 });
    expect((await showPlan(t.db, 'P1')).sessions_per_week).toBe(3);
    const audit = await listAudit(t.db, { entity: 'plan', key: 'P1' });
    expect(audit[1]).toMatchObject({ action: 'edit', before: { sessions_per_week: 'unlimited' }, after: { sessions_per_week: 3 } });
  });

  it('existing plans get the defaults when migration 0008 runs', async () => {
    const h = await dbMigratedTo('0007_on_behalf_of');
    const db = h.db as Kysely<any>;
    try {
      const stamp = { created_at: 'x', updated_at: 'x' };
      const product = await db
        .insertInto('products')
        .values({ code: 'BIO', code_key: 'bio', name: 'Bio', ...stamp })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('plans')
        .values({ code: 'OLD', code_key: 'old', name: 'Old', product_id: product.id, currency: 'EUR', ...stamp })
        .execute();
      await migrateToLatest(h.db);
      expect(await db.selectFrom('plans').select(['sessions_per_week', 'sessions_per_month', 'trainings_per_year']).execute()).toEqual([
        { sessions_per_week: 2, sessions_per_month: 5, trainings_per_year: 1 },
      ]);
    } finally {
      await h.close();
    }
  });

  it('with several running subscriptions the most generous value of each limit applies; a trial runs, a cancelled one does not', async () => {
    await subscribe('WEEK3', { sessions_per_week: 3, sessions_per_month: 4 }, { start_date: '2026-01-01', end_date: '2026-12-31' });
    await subscribe(
      'MONTH9',
      { sessions_per_week: 1, sessions_per_month: 9 },
      { start_date: '2026-01-01', end_date: '2026-12-31', status: 'trial' },
    );
    await subscribe(
      'ALL',
      { sessions_per_week: 'unlimited', sessions_per_month: 'unlimited' },
      { start_date: '2026-01-01', end_date: '2026-12-31', status: 'cancelled' },
    );
    for (const d of ['2026-12-07', '2026-12-08', '2026-12-09']) await session('web_session', `${d}T10:00:00Z`);
    await expect(session('web_session', '2026-12-10T10:00:00Z')).rejects.toThrow(
      'fair use: SCH-001 already has 3 web sessions in the week of 2026-12-07 (limit 3); next free day: 2026-12-14',
    );
    for (const d of ['2026-12-14', '2026-12-15', '2026-12-16', '2026-12-21', '2026-12-22', '2026-12-23'])
      await session('web_session', `${d}T10:00:00Z`);
    await expect(session('web_session', '2026-12-28T10:00:00Z')).rejects.toThrow(
      'fair use: SCH-001 already has 9 web sessions in 2026-12 (limit 9); next free day: none',
    );
  });

  it('accounts fair-use: used this week, month and 12 months, the limits, what remains and the next free day', async () => {
    await subscribe('STD', {}, { start_date: '2026-09-01', end_date: '2027-08-31' });
    await session('web_session', '2026-11-23T10:00:00Z');
    await session('web_session', '2026-11-30T10:00:00Z');
    await session('training_session', '2026-10-01T08:00:00Z');
    const [web, training] = await fairUseReport(t.db, 'sch-001', '2026-11-30');
    expect(web).toEqual({
      account_external_id: 'SCH-001',
      kind: 'web_session',
      as_of: '2026-11-30',
      this_week: 1,
      this_month: 2,
      last_12_months: 2,
      limit_week: 2,
      limit_month: 5,
      limit_12_months: null,
      remaining: 1,
      next_free_day: '2026-11-30',
    });
    expect(training).toMatchObject({ last_12_months: 1, limit_12_months: 1, remaining: 0, next_free_day: 'none' }); // 2027-10-01 is after the subscription ends
  });
});
