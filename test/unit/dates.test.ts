import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  diffDays,
  isValidDate,
  localToday,
  normalizeTimestamp,
  timestampDate,
} from '../../src/lib/dates.js';

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
});
