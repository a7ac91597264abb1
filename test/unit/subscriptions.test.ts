import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError, NotFoundError, RefusedError } from '../../src/errors.js';
import { cancelSubscription, paySubscription } from '../../src/subscriptions/payment.js';
import { addSubscription, listSubscriptions } from '../../src/subscriptions/service.js';
import { showSubscription } from '../../src/subscriptions/show.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  await t.seed.standardSet(op);
});

const add = (over: Record<string, unknown> = {}) =>
  addSubscription(t.db, op, {
    account_external_id: 'SCH-1',
    plan: 'BIO-BASIC',
    students: 100,
    term_months: 12,
    start_date: '2026-01-15',
    ...over,
  });

describe('subscriptions add', () => {
  it("computes end date and price, defaults the manager to the account's, audits", async () => {
    const s = await add();
    expect(s).toEqual({
      external_id: 'SUB-000001',
      account_external_id: 'SCH-1',
      product: 'BIO',
      plan: 'BIO-BASIC',
      students: 100,
      term_months: 12,
      start_date: '2026-01-15',
      end_date: '2027-01-14',
      status: 'unpaid',
      base_status: 'active',
      manager_login: 'anna',
      price: '450.00',
      currency: 'EUR',
      paid_at: null,
      activation_code: null,
      renewed_from_external_id: null,
    });
    const audit = await listAudit(t.db, { entity: 'subscription' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'add', key: 'SUB-000001' });
  });

  it('prices at the tier boundary: 100 students in the 100 tier, 101 in the next', async () => {
    expect((await add({ students: 100 })).price).toBe('450.00');
    expect((await add({ students: 101 })).price).toBe('800.00');
    expect((await add({ students: 300 })).price).toBe('800.00');
    await expect(add({ students: 301 })).rejects.toThrow(/largest tier is 300 students/);
    expect((await add({ students: 150, term_months: 24 })).price).toBe('1400.00');
  });

  it('refuses a legacy plan naming the current ones, a bad term, a wrong product, a taken id', async () => {
    const legacy = await add({ plan: 'BIO-OLD' }).catch((e: unknown) => e);
    expect(legacy).toBeInstanceOf(RefusedError);
    expect((legacy as RefusedError).hint).toContain('BIO-BASIC, BIO-MAX, BIO-TUTOR');
    await expect(add({ term_months: 6 })).rejects.toThrow(/term_months: "6": must be 12 or 24/);
    await expect(add({ product: 'DIARY' })).rejects.toThrow('product: "DIARY": the plan belongs to product BIO');
    await add({ external_id: 'X-1' });
    await expect(add({ external_id: 'x-1' })).rejects.toBeInstanceOf(ConflictError);
    await expect(add({ account_external_id: 'NOPE' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(add({ students: 0, start_date: '2026-02-30' })).rejects.toBeInstanceOf(InvalidDataError);
    expect(await listSubscriptions(t.db, op)).toHaveLength(1);
  });

  it('takes a named manager; tutor accounts have none', async () => {
    expect((await add({ manager_login: 'BOB' })).manager_login).toBe('bob');
    expect((await add({ account_external_id: 'TUT-1', plan: 'BIO-TUTOR', students: 1 })).manager_login).toBeNull();
    await expect(add({ account_external_id: 'TUT-1', plan: 'BIO-TUTOR', students: 1, manager_login: 'bob' })).rejects.toThrow(/tutor/);
  });
});

describe('subscriptions pay and cancel', () => {
  it('pay records paid_at and a unique code, refuses paying twice, keeps the code out of the audit log', async () => {
    await add();
    await add({ external_id: 'S2' });
    const a = await paySubscription(t.db, op, 'sub-000001', '2026-01-10');
    const b = await paySubscription(t.db, op, 'S2');
    expect(a).toMatchObject({ paid_at: '2026-01-10', status: 'active' });
    expect(b.paid_at).toBe('2026-11-25');
    expect(a.activation_code).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect(a.activation_code).not.toBe(b.activation_code);
    await expect(paySubscription(t.db, op, 'SUB-000001')).rejects.toThrow(/already paid \(paid_at 2026-01-10\)/);
    expect(JSON.stringify(await listAudit(t.db))).not.toContain(a.activation_code!);
    const show = await showSubscription(t.db, op.asOf, 'SUB-000001');
    expect(show.history.map((h) => [h.event, h.amount])).toEqual([
      ['add', '450.00'],
      ['pay', '450.00'],
    ]);
  });

  it('cancel sets the base status, keeps the history, refuses twice and refuses paying', async () => {
    await add();
    const c = await cancelSubscription(t.db, op, 'SUB-000001');
    expect(c).toMatchObject({ status: 'cancelled', base_status: 'cancelled' });
    await expect(cancelSubscription(t.db, op, 'SUB-000001')).rejects.toBeInstanceOf(RefusedError);
    await expect(paySubscription(t.db, op, 'SUB-000001')).rejects.toThrow(/cancelled/);
    expect((await showSubscription(t.db, op.asOf, 'SUB-000001')).history.map((h) => h.event)).toEqual(['add', 'cancel']);
  });
});

describe('subscriptions list', () => {
  it('filters by account, manager, product, plan, displayed status and end dates', async () => {
    await add({ external_id: 'A', start_date: '2026-01-15' }); // ends 2027-01-14
    await add({ external_id: 'B', start_date: '2025-01-01', account_external_id: 'SCH-2', manager_login: 'bob' }); // ended 2025-12-31
    await add({ external_id: 'C', start_date: '2026-03-01', plan: 'BIO-MAX', status: 'trial' }); // ends 2027-02-28
    await add({ external_id: 'D', start_date: '2026-02-01', plan: 'DIARY-STD' }); // ends 2027-01-31
    await paySubscription(t.db, op, 'A');
    const keys = async (f: Parameters<typeof listSubscriptions>[2], o = op) =>
      (await listSubscriptions(t.db, o, f)).map((s) => s.external_id);
    expect(await keys({})).toEqual(['B', 'A', 'D', 'C']);
    expect(await keys({ account: 'sch-2' })).toEqual(['B']);
    expect(await keys({ manager: 'BOB' })).toEqual(['B']);
    expect(await keys({ product: 'diary' })).toEqual(['D']);
    expect(await keys({ plan: 'bio-max' })).toEqual(['C']);
    expect(await keys({ status: 'expired' })).toEqual(['B']);
    expect(await keys({ status: 'unpaid' })).toEqual(['D']);
    expect(await keys({ status: 'trial' })).toEqual(['C']);
    expect(await keys({ status: 'expiring' }, testOp({ asOf: '2026-12-10' }))).toEqual(['A']);
    expect(await keys({ endingBefore: '2027-01-31' })).toEqual(['B', 'A']);
    expect(await keys({ endingWithin: 67 })).toEqual(['A', 'D']);
    expect(await keys({ endingWithin: 66 })).toEqual(['A']);
    await expect(keys({ status: 'bogus' })).rejects.toThrow(/status: "bogus": must be one of/);
  });
});
