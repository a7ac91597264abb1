import { describe, expect, it } from 'vitest';
import { dormancyBase } from '../../src/remind/candidates.js';
import { fromDayNumber, toDayNumber } from '../../src/lib/dates.js';
import { baseBounds, currentStageIndex, cycleStages, sendableStage } from '../../src/remind/schedule.js';

const dues = (kind: 'renewal' | 'dormancy' | 'activation', base: string) =>
  cycleStages(kind, base).map((s) => [s.stage, s.due_date, s.until]);
const current = (kind: 'renewal' | 'dormancy' | 'activation', base: string, asOf: string) => {
  const stages = cycleStages(kind, base);
  return stages[currentStageIndex(stages, asOf)]?.stage ?? null;
};

describe('remind schedule', () => {
  it('renewal stages relative to end_date; calendar months clamp to the month end', () => {
    expect(dues('renewal', '2026-08-31')).toEqual([
      ['renewal-6w', '2026-07-20', '2026-08-17'],
      ['renewal-2w', '2026-08-17', '2026-08-31'],
      ['renewal-0d', '2026-08-31', '2026-09-14'],
      ['renewal+2w', '2026-09-14', '2026-11-30'],
      ['renewal+3m', '2026-11-30', '2027-02-28'],
      ['renewal+6m', '2027-02-28', '2027-03-30'],
    ]);
  });

  it('leap days: into and out of 29 February', () => {
    expect(
      dues('renewal', '2027-08-31')
        .slice(4)
        .map((d) => d[1]),
    ).toEqual(['2027-11-30', '2028-02-29']);
    expect(dues('renewal', '2028-02-29').map((d) => d[1])).toEqual([
      '2028-01-18',
      '2028-02-15',
      '2028-02-29',
      '2028-03-14',
      '2028-05-29',
      '2028-08-29',
    ]);
    expect(dues('dormancy', '2027-11-30')).toEqual([
      ['dormant-3m', '2028-02-29', '2028-05-30'],
      ['dormant-6m', '2028-05-30', '2028-06-29'],
    ]);
  });

  it('stage i is sendable on [due_i, due_i+1); the last one for 30 days; nothing before or after', () => {
    const end = '2026-12-31';
    expect(current('renewal', end, '2026-11-18')).toBeNull();
    expect(current('renewal', end, '2026-11-19')).toBe('renewal-6w');
    expect(current('renewal', end, '2026-12-16')).toBe('renewal-6w');
    expect(current('renewal', end, '2026-12-17')).toBe('renewal-2w');
    expect(current('renewal', end, '2026-12-31')).toBe('renewal-0d');
    expect(current('renewal', end, '2027-01-14')).toBe('renewal+2w');
    expect(current('renewal', end, '2027-03-31')).toBe('renewal+3m');
    expect(current('renewal', end, '2027-06-30')).toBe('renewal+6m');
    expect(current('renewal', end, '2027-07-29')).toBe('renewal+6m');
    expect(current('renewal', end, '2027-07-30')).toBeNull();
    expect(current('activation', '2026-11-01', '2026-10-31')).toBeNull();
    expect(current('activation', '2026-11-01', '2026-11-30')).toBe('activation');
    expect(current('activation', '2026-11-01', '2026-12-01')).toBeNull();
  });

  it('dormancy counts from the UTC date of the last login, else the invitation', () => {
    expect(dormancyBase('2026-05-31T23:30:00Z', '2026-01-01')).toBe('2026-05-31');
    expect(dormancyBase(null, '2026-03-04')).toBe('2026-03-04');
    expect(dormancyBase(null, null)).toBeNull();
    expect(current('dormancy', '2026-05-31', '2026-08-30')).toBeNull();
    expect(current('dormancy', '2026-05-31', '2026-08-31')).toBe('dormant-3m');
    expect(current('dormancy', '2026-05-31', '2026-11-30')).toBe('dormant-6m');
  });
});

describe('sendableStage (the fast path used per row)', () => {
  it('agrees with cycleStages + currentStageIndex over four years of bases and dates', () => {
    const kinds = ['renewal', 'dormancy', 'activation'] as const;
    for (let b = toDayNumber('2027-01-01'); b < toDayNumber('2029-01-01'); b += 3) {
      const base = fromDayNumber(b);
      for (const kind of kinds) {
        const stages = cycleStages(kind, base);
        for (let a = b - 50; a < b + 220; a += 7) {
          const expected = stages[currentStageIndex(stages, fromDayNumber(a))];
          const got = sendableStage(kind, base, a);
          expect(got === null ? null : [got.stage, got.due_date]).toEqual(expected ? [expected.stage, expected.due_date] : null);
        }
      }
    }
  });
});

describe('at the ends of the date range', () => {
  it('leaves out stages past 9999-12-31 and keeps its search bounds inside the range', () => {
    expect(dues('renewal', '9999-12-20')).toEqual([
      ['renewal-6w', '9999-11-08', '9999-12-06'],
      ['renewal-2w', '9999-12-06', '9999-12-20'],
      ['renewal-0d', '9999-12-20', null],
    ]);
    expect(current('renewal', '9999-12-20', '9999-12-31')).toBe('renewal-0d');
    expect(dues('renewal', '1900-01-10').map((d) => d[0])).toEqual(['renewal-0d', 'renewal+2w', 'renewal+3m', 'renewal+6m']);
    expect(baseBounds('renewal', '9999-12-31')).toEqual({ lo: '9999-05-27', hi: '9999-12-31' });
    expect(baseBounds('dormancy', '1900-02-01')).toEqual({ lo: '1900-01-01', hi: '1900-01-01' });
  });
});
