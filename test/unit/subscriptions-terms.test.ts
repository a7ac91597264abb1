import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_PATTERN, generateActivationCode, uniqueActivationCode } from '../../src/subscriptions/activation.js';
import { displayedStatus } from '../../src/subscriptions/status.js';
import { divideHalfUp, endDateFor, inclusiveDays, upgradeCharge } from '../../src/subscriptions/terms.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { addSubscription } from '../../src/subscriptions/service.js';

describe('endDateFor: start + term months − 1 day', () => {
  it('handles ordinary dates, the issue examples and 24-month terms', () => {
    expect(endDateFor('2026-01-15', 12)).toBe('2027-01-14');
    expect(endDateFor('2026-01-01', 12)).toBe('2026-12-31');
    expect(endDateFor('2026-08-31', 6)).toBe('2027-02-27');
    expect(endDateFor('2026-01-15', 24)).toBe('2028-01-14');
    expect(endDateFor('2026-09-01', 24)).toBe('2028-08-31');
  });

  it('ends at 9999-12-31 at the latest; past it, the start is named', () => {
    expect(endDateFor('9999-01-01', 12)).toBe('9999-12-31');
    expect(() => endDateFor('9999-06-01', 12)).toThrow('start_date: "9999-06-01": the end date would be after 9999-12-31');
    expect(() => endDateFor('9999-06-01', 12, 'start')).toThrow('start: "9999-06-01": the end date would be after 9999-12-31');
  });

  it('clamps month ends before subtracting the day', () => {
    expect(endDateFor('2026-03-31', 12)).toBe('2027-03-30');
    expect(endDateFor('2026-01-31', 1)).toBe('2026-02-27');
    expect(endDateFor('2026-05-31', 24)).toBe('2028-05-30');
  });

  it('handles leap years', () => {
    expect(endDateFor('2027-03-01', 12)).toBe('2028-02-29');
    expect(endDateFor('2028-02-29', 12)).toBe('2029-02-27');
    expect(endDateFor('2028-02-29', 24)).toBe('2030-02-27');
    expect(endDateFor('2026-02-28', 24)).toBe('2028-02-27');
    expect(inclusiveDays('2027-03-01', '2028-02-29')).toBe(366);
    expect(inclusiveDays('2026-01-15', '2027-01-14')).toBe(365);
  });
});

describe('upgradeCharge: round_half_up((new − old) × remaining / term) in cents', () => {
  const base = { oldPriceCents: 80_000, newPriceCents: 100_000, startDate: '2026-01-15', endDate: '2027-01-14' };

  it('charges the whole difference on the first day', () => {
    expect(upgradeCharge({ ...base, asOf: '2026-01-15' })).toEqual({ remaining_days: 365, term_days: 365, charge_cents: 20_000 });
  });

  it('charges one day on the last day', () => {
    // 20000 × 1 / 365 = 54.79… → 55
    expect(upgradeCharge({ ...base, asOf: '2027-01-14' })).toEqual({ remaining_days: 1, term_days: 365, charge_cents: 55 });
  });

  it('rounds half up, in integer arithmetic', () => {
    expect(divideHalfUp(5, 10)).toBe(1);
    expect(divideHalfUp(4, 10)).toBe(0);
    expect(divideHalfUp(15, 10)).toBe(2);
    expect(divideHalfUp(14_999, 10_000)).toBe(1);
    expect(divideHalfUp(-5, 10)).toBe(0);
    expect(divideHalfUp(-6, 10)).toBe(-1);
    expect(divideHalfUp(-15, 10)).toBe(-1);
    // exact where the product passes 2^53: 9007199254740990 × 183 / 365 = 4515938256486579.4…
    expect(
      upgradeCharge({
        oldPriceCents: 1,
        newPriceCents: 9_007_199_254_740_991,
        startDate: '2026-01-01',
        endDate: '2026-12-31',
        asOf: '2026-07-02',
      }).charge_cents,
    ).toBe(4_515_938_256_486_579);
    // 3 × 1 / 2 = 1.5 → 2
    expect(
      upgradeCharge({ oldPriceCents: 0, newPriceCents: 3, startDate: '2026-01-01', endDate: '2026-01-02', asOf: '2026-01-02' })
        .charge_cents,
    ).toBe(2);
    // 200.00 × 51 / 365 = 27.945… → 27.95
    expect(upgradeCharge({ ...base, asOf: '2026-11-25' }).charge_cents).toBe(2_795);
  });

  it('prorates over a leap-year term', () => {
    const q = upgradeCharge({
      oldPriceCents: 0,
      newPriceCents: 36_600,
      startDate: '2027-03-01',
      endDate: '2028-02-29',
      asOf: '2028-02-01',
    });
    expect(q).toEqual({ remaining_days: 29, term_days: 366, charge_cents: 2_900 });
  });
});

describe('activation codes', () => {
  it('use XXXX-XXXX-XXXX-XXXX over an alphabet without 0/O and 1/I', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    for (const ch of '0O1I') expect(CODE_ALPHABET).not.toContain(ch);
    const codes = Array.from({ length: 2000 }, () => generateActivationCode());
    for (const c of codes) expect(c).toMatch(CODE_PATTERN);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes.join('').replace(/-/g, ''))).toEqual(new Set(CODE_ALPHABET));
  });

  describe('in the database', () => {
    const t = eachTestDb((seeded) => seeded.seed.standardSet(testOp()));

    it('are unique: a code already stored is never handed out again', async () => {
      const sub = await addSubscription(t.db, testOp(), {
        account_external_id: 'SCH-1',
        plan: 'BIO-BASIC',
        students: 10,
        term_months: 12,
        start_date: '2026-01-01',
      });
      await t.db.updateTable('subscriptions').set({ activation_code: 'AAAA-AAAA-AAAA-AAAA' }).execute();
      const queue = ['AAAA-AAAA-AAAA-AAAA', 'BBBB-BBBB-BBBB-BBBB'];
      expect(await uniqueActivationCode(t.db, () => queue.shift()!)).toBe('BBBB-BBBB-BBBB-BBBB');
      expect(sub.activation_code).toBeNull();
    });
  });
});

describe('displayedStatus', () => {
  const s = { status: 'active', end_date: '2027-01-14', paid_at: '2026-01-10', has_successor: false };
  it('takes the first that applies', () => {
    expect(displayedStatus(s, '2026-11-25')).toBe('active');
    expect(displayedStatus(s, '2026-12-03')).toBe('expiring'); // 42 days left
    expect(displayedStatus(s, '2026-12-02')).toBe('active'); // 43 days left
    expect(displayedStatus({ ...s, paid_at: null }, '2026-12-03')).toBe('unpaid');
    expect(displayedStatus(s, '2027-01-15')).toBe('expired');
    expect(displayedStatus({ ...s, has_successor: true }, '2027-01-15')).toBe('renewed');
    expect(displayedStatus({ ...s, status: 'trial', has_successor: true }, '2027-01-15')).toBe('trial');
    expect(displayedStatus({ ...s, status: 'cancelled' }, '2026-01-01')).toBe('cancelled');
  });
});
