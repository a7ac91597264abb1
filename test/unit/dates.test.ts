import { describe, expect, it } from 'vitest';
import { InvalidDataError } from '../../src/errors.js';
import {
  addDays,
  addMonths,
  addMonthsThenDays,
  boundDate,
  dateRule,
  deriveDate,
  diffDays,
  isValidDate,
  localToday,
  normalizeTimestamp,
  parseTimestamp,
  timestampDate,
} from '../../src/lib/dates.js';
import { coerce } from '../../src/lib/fields.js';

describe('calendar dates', () => {
  it('rejects impossible dates that JavaScript would roll over', () => {
    expect(isValidDate('2025-02-29')).toBe(false);
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-04-31')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('2026-1-01')).toBe(false);
  });

  it('adds calendar months, clamping to the end of the month', () => {
    expect(addMonths('2026-01-15', 12)).toBe('2027-01-15');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 24)).toBe('2026-02-28');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
  });

  it('adds days across month, year and leap boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(diffDays('2026-01-15', '2027-01-14')).toBe(364);
    expect(diffDays('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('is not shifted by the machine time zone', () => {
    const tz = process.env.TZ;
    try {
      for (const zone of ['Pacific/Kiritimati', 'America/Adak', 'UTC']) {
        process.env.TZ = zone;
        expect(addMonths('2026-10-31', 1)).toBe('2026-11-30');
        expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
      }
    } finally {
      process.env.TZ = tz;
    }
  });

  it('takes today from ACCTMGR_TODAY when set, else the local calendar date', () => {
    expect(localToday({ ACCTMGR_TODAY: '2030-01-02' })).toBe('2030-01-02');
    expect(localToday({}, new Date(2026, 10, 25, 23, 59))).toBe('2026-11-25');
  });
});

describe('timestamps', () => {
  it('normalizes any ISO 8601 offset to UTC seconds', () => {
    expect(normalizeTimestamp('2026-03-01T08:30:00Z')).toBe('2026-03-01T08:30:00Z');
    expect(normalizeTimestamp('2026-03-01T01:30:00+02:00')).toBe('2026-02-28T23:30:00Z');
    expect(normalizeTimestamp('2026-03-01T22:30:00-0300')).toBe('2026-03-02T01:30:00Z');
    expect(normalizeTimestamp('2026-03-01T08:30:00.123Z')).toBe('2026-03-01T08:30:00Z');
    expect(normalizeTimestamp('2026-03-01')).toBe('2026-03-01T00:00:00Z');
    expect(normalizeTimestamp('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(normalizeTimestamp('yesterday')).toBeUndefined();
    expect(timestampDate('2026-02-28T23:30:00Z')).toBe('2026-02-28');
  });

  it('names the part that is wrong: the form, the calendar date, the time of day, the offset', () => {
    const form = 'must be a date and time in ISO 8601 form, e.g. 2026-03-01T08:30:00Z';
    expect(parseTimestamp('yesterday')).toEqual({ ok: false, rule: form });
    expect(parseTimestamp('2026-02-29T10:00:00Z')).toEqual({ ok: false, rule: 'is not a real calendar date' });
    expect(parseTimestamp('2026-13-01')).toEqual({ ok: false, rule: 'is not a real calendar date' });
    expect(parseTimestamp('2028-02-29T10:00:00Z')).toEqual({ ok: true, value: '2028-02-29T10:00:00Z' });
    expect(parseTimestamp('2026-03-01T24:00:00Z')).toEqual({ ok: false, rule: 'is not a real time of day (00:00:00 to 23:59:59)' });
    expect(parseTimestamp('2026-03-01T10:60')).toEqual({ ok: false, rule: 'is not a real time of day (00:00:00 to 23:59:59)' });
    expect(parseTimestamp('2026-03-01T10:00:00+24:00')).toEqual({
      ok: false,
      rule: 'has an offset out of range ("+24:00"; at most ±23:59)',
    });
  });
});

describe('the date range 1900-01-01..9999-12-31', () => {
  const range = 'must be between 1900-01-01 and 9999-12-31';

  it('accepts its ends and refuses the years before 1900 with a rule of their own', () => {
    expect(isValidDate('1900-01-01')).toBe(true);
    expect(isValidDate('9999-12-31')).toBe(true);
    for (const d of ['0000-01-01', '0099-03-01', '1899-12-31']) expect(dateRule(d), d).toBe(range);
    expect(dateRule('0000-02-30')).toBe('is not a real calendar date');
    expect(coerce({ name: 'start_date', type: 'date' }, '0000-01-01')).toEqual({ ok: false, rule: range });
  });

  it('refuses timestamps outside it, also when the offset moves them out (years 0-99 are not 1900-1999)', () => {
    expect(parseTimestamp('0050-01-01T00:00:00Z')).toEqual({ ok: false, rule: range });
    expect(parseTimestamp('1900-01-01T00:30:00+01:00')).toEqual({ ok: false, rule: range });
    expect(parseTimestamp('9999-12-31T23:00:00-02:00')).toEqual({ ok: false, rule: range });
    expect(normalizeTimestamp('9999-12-31T23:59:59Z')).toBe('9999-12-31T23:59:59Z');
    expect(normalizeTimestamp('1900-01-01T05:00:00+04:00')).toBe('1900-01-01T01:00:00Z');
    expect(coerce({ name: 'at', type: 'timestamp' }, '0000-01-01T00:00:00Z')).toEqual({ ok: false, rule: range });
  });

  it('makes arithmetic that leaves it an invalid-data error, named by deriveDate, clamped by boundDate', () => {
    expect(addDays('9999-12-30', 1)).toBe('9999-12-31');
    expect(addMonthsThenDays('9999-01-01', 12, -1)).toBe('9999-12-31'); // only the result must fit
    expect(addMonthsThenDays('1900-02-15', -2, 50)).toBe('1900-02-03'); // 1899-12-15 on the way
    expect(() => addMonthsThenDays('1900-01-01', -1900 * 12, 0)).toThrow(InvalidDataError); // not 1900 again
    expect(() => addDays('9999-12-31', 1)).toThrow(InvalidDataError);
    expect(() => addMonths('9999-06-01', 12)).toThrow(InvalidDataError);
    expect(() => addMonths('1900-03-01', -3)).toThrow(InvalidDataError);
    expect(() => deriveDate('start_date', '9999-06-01', 'the end date', () => addMonths('9999-06-01', 12))).toThrow(
      'start_date: "9999-06-01": the end date would be after 9999-12-31',
    );
    expect(() => deriveDate('as_of', '1900-01-01', 'the day before', () => addDays('1900-01-01', -1))).toThrow(
      'as_of: "1900-01-01": the day before would be before 1900-01-01',
    );
    expect(boundDate(() => addDays('9999-12-31', 42))).toBe('9999-12-31');
    expect(boundDate(() => addMonths('1900-02-01', -7))).toBe('1900-01-01');
  });
});
