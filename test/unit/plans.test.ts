import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError, NotFoundError, RefusedError } from '../../src/errors.js';
import { assertPlanCurrent, getPlan } from '../../src/plans/lookup.js';
import { listPrices, quotePrice, removePrice, setPrice } from '../../src/plans/prices.js';
import { priceFor } from '../../src/plans/pricing.js';
import { addProduct, editProduct, listProducts, showProduct } from '../../src/plans/products.js';
import { addPlan, editPlan, listPlans, retirePlan, showPlan } from '../../src/plans/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb();

async function seed() {
  await addProduct(t.db, op, { code: 'EDIARY', name: 'E-diary' });
  await addProduct(t.db, op, { code: 'BIO', name: 'Biology site' });
  await addPlan(t.db, op, { code: 'ED-BASIC', name: 'Basic', product: 'ediary', currency: 'eur', modules: 'grades;attendance' });
  await addPlan(t.db, op, { code: 'ED-MAX', name: 'Maximum', product: 'EDIARY', currency: 'EUR' });
  await addPlan(t.db, op, { code: 'BIO-TUTOR', name: 'Tutor', product: 'BIO', currency: 'EUR', modules: 'lessons' });
}

describe('products', () => {
  it('adds, refuses a duplicate code case-insensitively, edits the name, audits both', async () => {
    expect(await addProduct(t.db, op, { code: 'EDiary', name: 'E-diary' })).toEqual({ code: 'EDiary', name: 'E-diary' });
    await expect(addProduct(t.db, op, { code: 'ediary', name: 'x' })).rejects.toThrow('code "ediary" is already used by product EDiary');
    await expect(addProduct(t.db, op, { code: 'a b', name: '' })).rejects.toThrow(
      /code: "a b": may contain only[\s\S]*name: "": is required/,
    );
    expect(await editProduct(t.db, op, 'EDIARY', { name: 'E-diary for schools' })).toEqual({ code: 'EDiary', name: 'E-diary for schools' });
    await expect(editProduct(t.db, op, 'ediary', { name: '' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(editProduct(t.db, op, 'nope', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    const audit = await listAudit(t.db, { entity: 'product' });
    expect(audit.map((a) => a.action)).toEqual(['add', 'edit']);
    expect(audit[1]).toMatchObject({ key: 'EDiary', before: { name: 'E-diary' }, after: { name: 'E-diary for schools' } });
  });

  it('shows a product with its plans; lists in code order', async () => {
    await seed();
    expect((await listProducts(t.db)).map((p) => p.code)).toEqual(['BIO', 'EDIARY']);
    const p = await showProduct(t.db, 'ediary');
    expect(p.plans.map((x) => x.code)).toEqual(['ED-BASIC', 'ED-MAX']);
    expect(p.plans[0]).toEqual({
      code: 'ED-BASIC',
      name: 'Basic',
      product: 'EDIARY',
      currency: 'EUR',
      modules: ['grades', 'attendance'],
      legacy: false,
      sessions_per_week: 2,
      sessions_per_month: 5,
      trainings_per_year: 1,
      included_training_credits: 0,
    });
  });
});

describe('plans', () => {
  it('keeps plan codes unique across all products, case-insensitively', async () => {
    await seed();
    const err = await addPlan(t.db, op, { code: 'ed-basic', name: 'B', product: 'BIO', currency: 'EUR' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe('code "ed-basic" is already used by plan ED-BASIC of product EDIARY');
    await expect(addPlan(t.db, op, { code: 'X', name: 'X', product: 'NOPE', currency: 'EUR' })).rejects.toThrow(
      'product not found: "NOPE"',
    );
  });

  it('checks currency (ISO 4217, stored upper-case) and names every bad field at once', async () => {
    await seed();
    const err = await addPlan(t.db, op, { code: 'bad code', name: 'X', product: 'BIO', currency: 'EURO' }).catch((e) => e);
    expect((err as InvalidDataError).problems.map((p) => p.field)).toEqual(['code', 'currency']);
    await expect(addPlan(t.db, op, { code: 'X', name: 'X', product: 'BIO', currency: 'XYZ' })).rejects.toThrow(
      'currency: "XYZ": is not an ISO 4217 currency code',
    );
    await expect(addPlan(t.db, op, { code: 'X', name: 'X', product: 'BIO' })).rejects.toThrow('currency: "": is required');
    const p = await addPlan(t.db, op, { code: 'X', name: 'X', product: 'bio', currency: 'bgn', modules: ' a ; b;;a ', legacy: 'yes' });
    expect(p).toEqual({
      code: 'X',
      name: 'X',
      product: 'BIO',
      currency: 'BGN',
      modules: ['a', 'b'],
      legacy: true,
      sessions_per_week: 2,
      sessions_per_month: 5,
      trainings_per_year: 1,
      included_training_credits: 0,
    });
  });

  it('edits name and modules only, audited with before/after', async () => {
    await seed();
    const p = await editPlan(t.db, op, 'ed-basic', { modules: 'grades;attendance;messages', name: 'Basic+' });
    expect(p).toMatchObject({ name: 'Basic+', modules: ['grades', 'attendance', 'messages'] });
    expect((await editPlan(t.db, op, 'ED-BASIC', { modules: '' })).modules).toEqual([]);
    const audit = await listAudit(t.db, { entity: 'plan', key: 'ED-BASIC' });
    expect(audit.map((a) => a.action)).toEqual(['add', 'edit', 'edit']);
    expect(audit[1]).toMatchObject({ before: { name: 'Basic', modules: ['grades', 'attendance'] }, after: { name: 'Basic+' } });
  });

  it('lists by product and by legacy/current', async () => {
    await seed();
    await retirePlan(t.db, op, 'ED-MAX');
    expect((await listPlans(t.db)).map((p) => p.code)).toEqual(['BIO-TUTOR', 'ED-BASIC', 'ED-MAX']);
    expect((await listPlans(t.db, { product: 'ediary' })).map((p) => p.code)).toEqual(['ED-BASIC', 'ED-MAX']);
    expect((await listPlans(t.db, { legacy: true })).map((p) => p.code)).toEqual(['ED-MAX']);
    expect((await listPlans(t.db, { product: 'EDIARY', legacy: false })).map((p) => p.code)).toEqual(['ED-BASIC']);
    await expect(listPlans(t.db, { product: 'NOPE' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('retire sets legacy once (audited), and assertPlanCurrent then refuses naming the current plans', async () => {
    await seed();
    await assertPlanCurrent(t.db, await getPlan(t.db, 'ED-MAX'));
    expect(await retirePlan(t.db, op, 'ed-max')).toMatchObject({ changed: true, plan: { code: 'ED-MAX', legacy: true } });
    expect((await retirePlan(t.db, op, 'ED-MAX')).changed).toBe(false);
    const audit = await listAudit(t.db, { entity: 'plan', key: 'ED-MAX' });
    expect(audit.map((a) => a.action)).toEqual(['add', 'retire']);
    expect(audit[1]).toMatchObject({ before: { legacy: false }, after: { legacy: true } });

    const err = await assertPlanCurrent(t.db, await getPlan(t.db, 'ED-MAX')).catch((e) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toMatch(/plan ED-MAX is retired \(legacy\)/);
    expect((err as RefusedError).hint).toBe('current plans of this product: ED-BASIC');
    await retirePlan(t.db, op, 'ED-BASIC');
    const none = await assertPlanCurrent(t.db, await getPlan(t.db, 'ED-BASIC')).catch((e) => e);
    expect((none as RefusedError).hint).toBe('this product has no current plan');
  });
});

describe('price tables', () => {
  it('adds or changes a row, audited with before/after; the same amount changes nothing', async () => {
    await seed();
    const a = await setPrice(t.db, op, { plan: 'ed-basic', max_students: '100', term_months: '12', amount: '450' });
    expect(a).toEqual({ before: null, changed: true, after: { plan: 'ED-BASIC', max_students: 100, term_months: 12, amount: '450.00' } });
    const b = await setPrice(t.db, op, { plan: 'ED-BASIC', max_students: 100, term_months: 12, amount: '475.50' });
    expect(b).toMatchObject({ changed: true, before: { amount: '450.00' }, after: { amount: '475.50' } });
    expect((await setPrice(t.db, op, { plan: 'ED-BASIC', max_students: 100, term_months: 12, amount: '475.5' })).changed).toBe(false);
    const audit = await listAudit(t.db, { entity: 'price' });
    expect(audit.map((x) => [x.action, x.key])).toEqual([
      ['add', 'ED-BASIC/12/100'],
      ['edit', 'ED-BASIC/12/100'],
    ]);
    expect(audit[1]).toMatchObject({ before: { amount: '450.00' }, after: { amount: '475.50' } });
    const rows = await t.db.selectFrom('plan_prices').select('amount_cents').execute();
    expect(rows).toEqual([{ amount_cents: 47550 }]);
  });

  it('omitting max_students sets the single any-number row of that term', async () => {
    await seed();
    await setPrice(t.db, op, { plan: 'BIO-TUTOR', term_months: 12, amount: '59.90' });
    await setPrice(t.db, op, { plan: 'BIO-TUTOR', max_students: '', term_months: 12, amount: '64.90' });
    await setPrice(t.db, op, { plan: 'BIO-TUTOR', term_months: 24, amount: '99.90' });
    expect((await showPlan(t.db, 'BIO-TUTOR')).prices).toEqual([
      { max_students: null, term_months: 12, amount: '64.90' },
      { max_students: null, term_months: 24, amount: '99.90' },
    ]);
    expect((await listAudit(t.db, { entity: 'price' })).map((a) => a.key)).toEqual([
      'BIO-TUTOR/12/any',
      'BIO-TUTOR/12/any',
      'BIO-TUTOR/24/any',
    ]);
  });

  it('shows rows by term then max_students, the any-number row last; prices from the database', async () => {
    await seed();
    for (const [max, term, amount] of [
      [null, 12, '900'],
      [300, 12, '700'],
      [100, 24, '810'],
      [100, 12, '450'],
    ] as const) {
      await setPrice(t.db, op, { plan: 'ED-BASIC', max_students: max ?? undefined, term_months: term, amount });
    }
    const shown = await showPlan(t.db, 'ED-BASIC');
    expect(shown.prices.map((p) => [p.term_months, p.max_students])).toEqual([
      [12, 100],
      [12, 300],
      [12, null],
      [24, 100],
    ]);
    expect((await listPrices(t.db)).map((p) => `${p.plan}/${p.term_months}/${p.max_students}`)).toEqual([
      'ED-BASIC/12/100',
      'ED-BASIC/12/300',
      'ED-BASIC/12/null',
      'ED-BASIC/24/100',
    ]);
    const plan = await getPlan(t.db, 'ED-BASIC');
    expect(await priceFor(t.db, plan, 100, 12)).toBe(45000);
    expect(await priceFor(t.db, plan, 101, 12)).toBe(70000);
    expect(await priceFor(t.db, plan, 301, 12)).toBe(90000);
    await expect(priceFor(t.db, plan, 101, 24)).rejects.toThrow(/largest tier is 100 students/);
    expect(await quotePrice(t.db, 'ed-basic', 101, 12)).toEqual({
      plan: 'ED-BASIC',
      product: 'EDIARY',
      students: 101,
      term_months: 12,
      amount: '700.00',
      currency: 'EUR',
      legacy: false,
    });
    await expect(quotePrice(t.db, 'ED-BASIC', 0, 12)).rejects.toThrow('students: "0": must be at least 1');
  });

  it('refuses bad rows and removes a row (audited)', async () => {
    await seed();
    await expect(setPrice(t.db, op, { plan: 'NOPE', term_months: 12, amount: '1' })).rejects.toBeInstanceOf(NotFoundError);
    const bad = await setPrice(t.db, op, { plan: 'ED-BASIC', max_students: '0', term_months: '18', amount: '1.234' }).catch((e) => e);
    expect((bad as InvalidDataError).problems.map((p) => p.field)).toEqual(['max_students', 'term_months', 'amount']);
    await setPrice(t.db, op, { plan: 'ED-BASIC', max_students: 100, term_months: 12, amount: '450' });
    expect(await removePrice(t.db, op, { plan: 'ed-basic', max_students: 100, term_months: 12 })).toMatchObject({ amount: '450.00' });
    await expect(removePrice(t.db, op, { plan: 'ED-BASIC', max_students: 100, term_months: 12 })).rejects.toThrow(
      'price row not found: "ED-BASIC/12/100"',
    );
    expect((await listAudit(t.db, { entity: 'price' })).at(-1)).toMatchObject({
      action: 'remove',
      before: { amount: '450.00' },
      after: null,
    });
  });
});

describe('fixtures', () => {
  const read = (name: string) =>
    parse(fs.readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)), { columns: true }) as Record<string, string>[];

  it('products, plans and prices load through the same checks, with a retired and a flat-priced plan', async () => {
    for (const r of read('products.csv')) await addProduct(t.db, op, r);
    for (const r of read('plans.csv')) await addPlan(t.db, op, r);
    for (const r of read('prices.csv')) await setPrice(t.db, op, r);
    expect(await listPlans(t.db, { legacy: true })).toHaveLength(1);
    expect((await quotePrice(t.db, 'BIO-TUTOR', 1, 12)).amount).toBe('59.90');
    expect((await quotePrice(t.db, 'BIO-TUTOR', 5000, 24)).amount).toBe('99.90');
    expect((await quotePrice(t.db, 'BIO-BASIC', 101, 12)).amount).toBe('700.00');
    for (const p of await listPlans(t.db)) {
      expect((await showPlan(t.db, p.code)).prices.map((r) => r.term_months)).toEqual(expect.arrayContaining([12, 24]));
    }
  });
});
