import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { formatCents, toCents } from '../../src/lib/fields.js';
import { checkPrice } from '../../src/plans/checks.js';
import { pickPrice, type PriceRow } from '../../src/plans/pricing.js';

const row = (max_students: number | null, term_months: number, amount: string): PriceRow => ({
  max_students,
  term_months,
  amount_cents: toCents(amount),
});

// deliberately unsorted: the lookup must not depend on the stored order
const TABLE: PriceRow[] = [row(300, 12, '700.00'), row(100, 12, '450.00'), row(600, 12, '950.00'), row(100, 24, '810.00')];
const pick = (students: number, term = 12, rows = TABLE) => formatCents(pickPrice('BASIC', rows, students, term));

describe('pickPrice: the smallest max_students ≥ students, for the term', () => {
  it('prices at the tier boundaries: 100 vs 101 students', () => {
    expect(pick(1)).toBe('450.00');
    expect(pick(100)).toBe('450.00');
    expect(pick(101)).toBe('700.00');
    expect(pick(300)).toBe('700.00');
    expect(pick(301)).toBe('950.00');
    expect(pick(600)).toBe('950.00');
    expect(pick(100, 24)).toBe('810.00');
  });

  it('uses the any-number row only when no numbered row covers the count', () => {
    const rows = [...TABLE, row(null, 12, '1200.00')];
    expect(pick(100, 12, rows)).toBe('450.00');
    expect(pick(600, 12, rows)).toBe('950.00');
    expect(pick(601, 12, rows)).toBe('1200.00');
    expect(pick(100000, 12, rows)).toBe('1200.00');
    // a flat price alone (a tutor plan) covers every count
    expect(pick(1, 12, [row(null, 12, '59.90')])).toBe('59.90');
    expect(pick(5000, 12, [row(null, 12, '59.90')])).toBe('59.90');
  });

  it('refuses more students than the largest row with a clear error', () => {
    const err = (() => {
      try {
        pickPrice('BASIC', TABLE, 601, 12);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toBe('plan BASIC has no price for 601 students on a 12-month term: its largest tier is 600 students');
    // the 24-month table has no flat row, even though the 12-month one might
    expect(() => pickPrice('BASIC', [...TABLE, row(null, 12, '1.00')], 101, 24)).toThrow(/largest tier is 100 students/);
  });

  it('refuses a term without rows, naming the terms that exist', () => {
    expect(() => pickPrice('BASIC', [row(100, 12, '1.00')], 10, 24)).toThrow(
      'plan BASIC has no price for a 24-month term: it has prices for 12 months only',
    );
    expect(() => pickPrice('BASIC', TABLE, 10, 36)).toThrow(/it has prices for 12 and 24 months only/);
    expect(() => pickPrice('EMPTY', [], 10, 12)).toThrow(/its price table is empty/);
  });
});

describe('money stays in integer cents', () => {
  it('reads amounts into cents without floating point', () => {
    // 19.99 * 100 is 1998.9999999999998 in floating point
    expect(checkPrice({ plan: 'P', term_months: '12', amount: '19.99' }).amount_cents).toBe(1999);
    expect(checkPrice({ plan: 'P', term_months: '12', amount: '0.1' }).amount_cents).toBe(10);
    expect(checkPrice({ plan: 'P', term_months: '12', amount: '450' }).amount_cents).toBe(45000);
    // in floating point 4.35 * 100 is 434.99999999999994 and 1.15 * 100 is 114.99999999999999
    expect(checkPrice({ plan: 'P', term_months: '12', amount: '4.35' }).amount_cents).toBe(435);
    expect(checkPrice({ plan: 'P', term_months: '12', amount: '1.15' }).amount_cents).toBe(115);
  });

  it('returns the stored cents exactly and prints them with two decimals', () => {
    const rows = [row(10, 12, '19.99'), row(null, 12, '0.10')];
    expect(pickPrice('P', rows, 3, 12)).toBe(1999);
    expect(Number.isInteger(pickPrice('P', rows, 11, 12))).toBe(true);
    expect(pick(11, 12, rows)).toBe('0.10');
    expect(formatCents(1999 * 3)).toBe('59.97');
  });

  it('refuses amounts with more than two decimals, terms other than 12/24, max_students below 1', () => {
    expect(() => checkPrice({ plan: 'P', term_months: '12', amount: '19.999' })).toThrow(/amount: "19.999"/);
    expect(() => checkPrice({ plan: 'P', term_months: '12', amount: '-5' })).toThrow(/amount: "-5"/);
    expect(() => checkPrice({ plan: 'P', term_months: '6', amount: '5' })).toThrow('term_months: "6": must be 12 or 24');
    expect(() => checkPrice({ plan: 'P', term_months: '12', max_students: '0', amount: '5' })).toThrow(
      /max_students: "0": must be at least 1/,
    );
    expect(checkPrice({ plan: 'P', term_months: '24', max_students: '', amount: '5' }).max_students).toBeNull();
  });
});
