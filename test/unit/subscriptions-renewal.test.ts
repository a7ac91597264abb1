import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { InvalidDataError, RefusedError } from '../../src/errors.js';
import { addSeat } from '../../src/composites/seats.js';
import { removeSeat } from '../../src/seats/service.js';
import { cancelSubscription, paySubscription } from '../../src/subscriptions/payment.js';
import { renewSubscription } from '../../src/composites/renew.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { showSubscription } from '../../src/subscriptions/show.js';
import { applyUpgrade, quoteUpgrade } from '../../src/subscriptions/upgrade.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  await t.seed.standardSet(op);
  // SUB-000001: SCH-1, anna, 150 students, 2026-01-15..2027-01-14, 800.00
  await addSubscription(t.db, op, {
    account_external_id: 'SCH-1',
    plan: 'BIO-BASIC',
    students: 150,
    term_months: 12,
    start_date: '2026-01-15',
  });
});

const accountManager = async (id: string) =>
  (
    await t.db
      .selectFrom('accounts as a')
      .leftJoin('managers as m', 'm.id', 'a.manager_id')
      .select('m.login')
      .where('a.external_id', '=', id)
      .executeTakeFirstOrThrow()
  ).login;

describe('subscriptions renew', () => {
  it('starts the day after the old end, keeps plan/term/students, prices from the current table, carries seats', async () => {
    await addSeat(t.db, op, { email: 'a@school.example', subscription: 'SUB-000001', name: 'A' });
    await addSeat(t.db, op, { email: 'b@school.example', subscription: 'SUB-000001' });
    await removeSeat(t.db, op, 'b@school.example', 'SUB-000001');
    await t.db.updateTable('plan_prices').set({ amount_cents: 85_000 }).where('amount_cents', '=', 80_000).execute();
    const next = await renewSubscription(t.db, op, 'SUB-000001');
    expect(next).toMatchObject({
      external_id: 'SUB-000002',
      plan: 'BIO-BASIC',
      students: 150,
      term_months: 12,
      start_date: '2027-01-15',
      end_date: '2028-01-14',
      price: '850.00',
      manager_login: 'anna',
      renewed_from_external_id: 'SUB-000001',
      paid_at: null,
    });
    const show = await showSubscription(t.db, op.asOf, 'SUB-000002');
    expect(show.seats.map((s) => s.email)).toEqual(['a@school.example']);
    expect(show.seats_in_use).toBe(1);
    const old = await showSubscription(t.db, op.asOf, 'SUB-000001');
    expect(old.status).toBe('renewed');
    expect(old.renewal_chain.map((c) => [c.external_id, c.relation])).toEqual([
      ['SUB-000001', 'this'],
      ['SUB-000002', 'successor'],
    ]);
  });

  it('takes --plan, --term, --students and a later --start; refuses an earlier start', async () => {
    await expect(renewSubscription(t.db, op, 'SUB-000001', { start: '2027-01-14' })).rejects.toThrow(/must not be before 2027-01-15/);
    const next = await renewSubscription(t.db, op, 'SUB-000001', { plan: 'BIO-MAX', term: 24, students: 200, start: '2027-06-01' });
    expect(next).toMatchObject({
      plan: 'BIO-MAX',
      term_months: 24,
      students: 200,
      start_date: '2027-06-01',
      end_date: '2029-05-31',
      price: '1800.00',
    });
  });

  it('moves the successor and the account to whoever renews, recorded in the audit log', async () => {
    const next = await renewSubscription(t.db, op, 'SUB-000001', { by: 'bob' });
    expect(next.manager_login).toBe('bob');
    expect(await accountManager('SCH-1')).toBe('bob');
    expect((await showSubscription(t.db, op.asOf, 'SUB-000001')).manager_login).toBe('anna');
    const audit = await listAudit(t.db);
    expect(
      audit
        .filter((a) => a.action === 'reassign')
        .map((a) => [a.entity, a.key, a.before, (a.after as { manager_login: string }).manager_login]),
    ).toEqual([
      ['subscription', 'SUB-000002', { manager_login: 'anna' }, 'bob'],
      ['account', 'SCH-1', { manager_login: 'anna' }, 'bob'],
    ]);
  });

  it('leaves the account alone when it had another manager than the subscription', async () => {
    await addSubscription(t.db, op, {
      external_id: 'S-BOB',
      account_external_id: 'SCH-2',
      plan: 'BIO-BASIC',
      students: 10,
      term_months: 12,
      start_date: '2026-01-01',
      manager_login: 'bob',
    });
    const next = await renewSubscription(t.db, op, 'S-BOB', { by: 'anna' });
    expect(next.manager_login).toBe('anna');
    expect(await accountManager('SCH-2')).toBe('anna');
    const again = await renewSubscription(t.db, op, next.external_id, { by: 'bob' });
    expect(again.manager_login).toBe('bob');
    expect(await accountManager('SCH-2')).toBe('bob');
    await addSubscription(t.db, op, {
      external_id: 'S-ANNA',
      account_external_id: 'SCH-2',
      plan: 'BIO-BASIC',
      students: 10,
      term_months: 12,
      start_date: '2026-01-01',
      manager_login: 'anna',
    });
    await renewSubscription(t.db, op, 'S-ANNA', { by: 'anna' });
    expect(await accountManager('SCH-2')).toBe('bob');
  });

  it('refuses cancelled, already renewed, legacy plans; a cancelled successor allows a new renewal', async () => {
    const next = await renewSubscription(t.db, op, 'SUB-000001');
    await expect(renewSubscription(t.db, op, 'SUB-000001')).rejects.toThrow(/already renewed by SUB-000002/);
    await cancelSubscription(t.db, op, next.external_id);
    expect((await showSubscription(t.db, op.asOf, 'SUB-000001')).status).toBe('unpaid'); // not renewed: the successor is cancelled
    const again = await renewSubscription(t.db, op, 'SUB-000001');
    expect(again.external_id).toBe('SUB-000003');
    await expect(renewSubscription(t.db, op, 'SUB-000002')).rejects.toThrow(/cancelled/);
    await expect(renewSubscription(t.db, op, 'SUB-000003', { plan: 'BIO-OLD' })).rejects.toBeInstanceOf(RefusedError);
    // a running subscription of a retired plan: renewing it onto the same plan is refused too
    await t.db.updateTable('plans').set({ legacy: 1 }).where('code', '=', 'BIO-BASIC').execute();
    await expect(renewSubscription(t.db, op, 'SUB-000003')).rejects.toThrow(/BIO-BASIC is retired/);
    await expect(renewSubscription(t.db, op, 'SUB-000003', { plan: 'DIARY-STD' })).rejects.toThrow(/another product/);
    const chain = (await showSubscription(t.db, op.asOf, 'SUB-000001')).renewal_chain;
    expect(chain.map((c) => [c.external_id, c.relation, c.status])).toEqual([
      ['SUB-000001', 'this', 'renewed'],
      ['SUB-000002', 'successor', 'cancelled'],
      ['SUB-000003', 'successor', 'unpaid'],
    ]);
  });

  it('tutor subscriptions renew without a manager; --by is refused', async () => {
    await addSubscription(t.db, op, {
      external_id: 'T',
      account_external_id: 'TUT-1',
      plan: 'BIO-TUTOR',
      students: 1,
      term_months: 12,
      start_date: '2026-01-01',
    });
    await expect(renewSubscription(t.db, op, 'T', { by: 'bob' })).rejects.toThrow(/tutor/);
    expect((await renewSubscription(t.db, op, 'T')).manager_login).toBeNull();
  });
});

describe('subscriptions upgrade', () => {
  const first = testOp({ asOf: '2026-01-15' });
  const last = testOp({ asOf: '2027-01-14' });

  it('quotes the whole difference on the first day and one day on the last, without changing anything', async () => {
    expect(await quoteUpgrade(t.db, first, 'SUB-000001', { plan: 'BIO-MAX' })).toMatchObject({
      old_price: '800.00',
      new_price: '1000.00',
      remaining_days: 365,
      term_days: 365,
      charge: '200.00',
      currency: 'EUR',
    });
    expect((await quoteUpgrade(t.db, last, 'SUB-000001', { plan: 'BIO-MAX' })).charge).toBe('0.55');
    expect((await showSubscription(t.db, op.asOf, 'SUB-000001')).plan).toBe('BIO-BASIC');
  });

  it('applies in place: same id and end date, new price, the charge in history and audit', async () => {
    const { quote, record } = await applyUpgrade(t.db, op, 'SUB-000001', { plan: 'BIO-MAX', students: 250 });
    expect(quote.charge).toBe('27.95');
    expect(record).toMatchObject({ external_id: 'SUB-000001', plan: 'BIO-MAX', students: 250, price: '1000.00', end_date: '2027-01-14' });
    const history = (await showSubscription(t.db, op.asOf, 'SUB-000001')).history;
    expect(history.at(-1)).toMatchObject({ event: 'upgrade', amount: '27.95' });
    const audit = (await listAudit(t.db, { entity: 'subscription' })).at(-1);
    expect(audit).toMatchObject({ action: 'upgrade', after: { plan: 'BIO-MAX', price: '1000.00', charge: '27.95' } });
  });

  it('more students on the same plan is an upgrade; downgrades, legacy plans, dates outside the term are refused', async () => {
    await addSubscription(t.db, op, {
      external_id: 'SMALL',
      account_external_id: 'SCH-1',
      plan: 'BIO-BASIC',
      students: 50,
      term_months: 12,
      start_date: '2026-01-15',
    });
    expect((await quoteUpgrade(t.db, op, 'SMALL', { plan: 'BIO-BASIC', students: 101 })).charge).toBe(String('48.90'));
    await expect(quoteUpgrade(t.db, op, 'SUB-000001', { plan: 'BIO-BASIC', students: 10 })).rejects.toThrow(
      /downgrade takes effect at renewal/,
    );
    await expect(quoteUpgrade(t.db, op, 'SUB-000001', { plan: 'BIO-BASIC' })).rejects.toThrow(/downgrade/);
    await expect(quoteUpgrade(t.db, op, 'SUB-000001', { plan: 'BIO-OLD' })).rejects.toThrow(/retired/);
    const before = await quoteUpgrade(t.db, testOp({ asOf: '2026-01-14' }), 'SUB-000001', { plan: 'BIO-MAX' }).catch((e: unknown) => e);
    expect(before).toBeInstanceOf(InvalidDataError);
    expect((before as Error).message).toContain('as_of: "2026-01-14": must lie within the subscription\'s term 2026-01-15..2027-01-14');
    await expect(applyUpgrade(t.db, testOp({ asOf: '2027-01-15' }), 'SUB-000001', { plan: 'BIO-MAX' })).rejects.toThrow(/must lie within/);
    await paySubscription(t.db, op, 'SUB-000001');
    await cancelSubscription(t.db, op, 'SUB-000001');
    await expect(quoteUpgrade(t.db, op, 'SUB-000001', { plan: 'BIO-MAX' })).rejects.toThrow(/cancelled/);
  });
});
