import { describe, expect, it } from 'vitest';
import { breach, breachMessage, limitsOn, nextFreeDay, weekStart, type RunningPlan } from '../../src/activities/fair-use.js';

const plan = (o: Partial<RunningPlan> = {}): RunningPlan => ({
  start_date: '2026-01-01',
  end_date: '2030-12-31',
  per_week: 2,
  per_month: 5,
  per_year: 1,
  ...o,
});
const DEFAULTS = limitsOn([plan()], '2026-12-01');

describe('fair use: web sessions per ISO week and per calendar month', () => {
  it('a Sunday and the Monday after it are in different weeks', () => {
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // Sunday
    expect(weekStart('2026-12-07')).toBe('2026-12-07'); // Monday
    const others = ['2026-12-05', '2026-12-06']; // Saturday, Sunday
    expect(breach('web_session', '2026-12-07', others, DEFAULTS)).toBeUndefined();
    const b = breach('web_session', '2026-12-06', others, DEFAULTS)!;
    expect(breachMessage('SCH-001', 'web_session', b, nextFreeDay('web_session', '2026-12-06', others, [plan()]))).toBe(
      'fair use: SCH-001 already has 2 web sessions in the week of 2026-11-30 (limit 2); next free day: 2026-12-07',
    );
  });

  it('5 in a month spread over weeks: the sixth is refused though its week is free; the next free day is in the next month', () => {
    const others = ['2026-12-01', '2026-12-02', '2026-12-08', '2026-12-15', '2026-12-22'];
    const b = breach('web_session', '2026-12-29', others, DEFAULTS)!;
    expect(b).toEqual({ count: 5, limit: 5, period: 'in 2026-12' });
    expect(nextFreeDay('web_session', '2026-12-29', others, [plan()])).toBe('2027-01-01');
  });

  it('a week across a month end counts both months', () => {
    const others = ['2026-12-30', '2026-12-31'];
    expect(breach('web_session', '2027-01-01', others, DEFAULTS)?.period).toBe('in the week of 2026-12-28');
  });
});

describe('fair use: training sessions in any 12 months', () => {
  it('across a month end: after one on 2027-01-31 the next may be on 2028-01-31', () => {
    const others = ['2027-01-31'];
    expect(breachMessage('SCH-001', 'training_session', breach('training_session', '2028-01-30', others, DEFAULTS)!, '2028-01-31')).toBe(
      'fair use: SCH-001 already has 1 training session in the 12 months from 2027-01-31 (limit 1); next free day: 2028-01-31',
    );
    expect(breach('training_session', '2028-01-31', others, DEFAULTS)).toBeUndefined();
    expect(nextFreeDay('training_session', '2027-06-01', others, [plan()])).toBe('2028-01-31');
  });

  it('across a leap day: after one on 2028-02-29 the next may be on 2029-02-28', () => {
    const others = ['2028-02-29'];
    expect(breach('training_session', '2029-02-27', others, DEFAULTS)?.period).toBe('in the 12 months from 2028-02-29');
    expect(breach('training_session', '2029-02-28', others, DEFAULTS)).toBeUndefined();
    expect(nextFreeDay('training_session', '2028-03-01', others, [plan()])).toBe('2029-02-28');
  });

  it('sessions later than the new one count too', () => {
    expect(breach('training_session', '2027-01-01', ['2027-06-01'], DEFAULTS)?.period).toBe('in the 12 months from 2027-01-01');
    expect(breach('training_session', '2026-06-01', ['2027-06-01'], DEFAULTS)).toBeUndefined();
  });
});

describe('fair use: limits from the running subscriptions', () => {
  it('the most generous value of each limit applies; null is unlimited', () => {
    const plans = [plan({ per_week: 1, per_month: 8, per_year: 0 }), plan({ per_week: 3, per_month: 4, per_year: null })];
    expect(limitsOn(plans, '2026-06-01')).toEqual({ per_week: 3, per_month: 8, per_year: null });
    expect(breach('training_session', '2026-06-02', ['2026-06-01', '2026-06-03'], limitsOn(plans, '2026-06-02'))).toBeUndefined();
  });

  it('no subscription running on the date: no sessions, and the next free day is when one runs', () => {
    const plans = [plan({ start_date: '2027-02-01', end_date: '2028-01-31' })];
    const b = breach('web_session', '2027-01-20', [], limitsOn(plans, '2027-01-20'))!;
    expect(breachMessage('SCH-001', 'web_session', b, nextFreeDay('web_session', '2027-01-20', [], plans))).toBe(
      'fair use: SCH-001 has no subscription running on 2027-01-20 (no web sessions); next free day: 2027-02-01',
    );
    expect(nextFreeDay('web_session', '2028-02-01', [], plans)).toBeUndefined();
  });

  it('0 means none', () => {
    expect(breach('web_session', '2026-06-01', [], limitsOn([plan({ per_week: 0 })], '2026-06-01'))).toEqual({
      count: 0,
      limit: 0,
      period: 'in the week of 2026-06-01',
    });
  });
});
