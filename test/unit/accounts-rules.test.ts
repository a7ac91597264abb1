import { describe, expect, it } from 'vitest';
import {
  accountRowProblems,
  checkCustomValues,
  coerceCustomValue,
  customFieldNameProblem,
  customValueOut,
  findParentCycles,
  missingRequiredFields,
  parentCycle,
} from '../../src/accounts/rules.js';
import { ACCOUNT_FIELDS, GROUP_FIELDS } from '../../src/accounts/fields.js';

describe('account field specs', () => {
  it('lists the account columns in the exact CSV order', () => {
    expect(ACCOUNT_FIELDS.map((f) => f.name).join(',')).toBe(
      'external_id,name,type,status,group,parent_external_id,country,region,registration_no,student_count,locale,manager_login,customer_emails',
    );
    expect(GROUP_FIELDS.map((f) => f.name)).toEqual(['name']);
    expect(ACCOUNT_FIELDS.find((f) => f.name === 'registration_no')?.type).toBe('text');
    expect(ACCOUNT_FIELDS.find((f) => f.name === 'student_count')).toMatchObject({ type: 'int', min: 0 });
  });
});

describe('tutor rule', () => {
  it('refuses a manager on a tutor account, and only there', () => {
    expect(accountRowProblems({ type: 'tutor', manager_login: 'anna' })).toEqual([
      expect.objectContaining({ field: 'manager_login', value: 'anna' }),
    ]);
    expect(accountRowProblems({ type: 'tutor', manager_login: null })).toEqual([]);
    expect(accountRowProblems({ type: 'tutor', manager_login: '' })).toEqual([]);
    expect(accountRowProblems({ type: 'school', manager_login: 'anna' })).toEqual([]);
  });
});

describe('parent cycles', () => {
  it('finds the loop a key is part of, including a self-parent', () => {
    const m = new Map<string, string | null>([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['d', 'a'],
      ['e', null],
      ['s', 's'],
    ]);
    expect(parentCycle(m, 'a')).toEqual(['a', 'b', 'c', 'a']);
    expect(parentCycle(m, 'd')).toBeUndefined(); // leads into a loop it is not part of
    expect(parentCycle(m, 'e')).toBeUndefined();
    expect(parentCycle(m, 's')).toEqual(['s', 's']);
  });

  it('lists every loop of a parent map once', () => {
    const m = new Map<string, string | null>([
      ['x', 'y'],
      ['y', 'x'],
      ['d', 'x'],
      ['p', 'q'],
      ['q', null],
      ['s', 's'],
    ]);
    expect(findParentCycles(m)).toEqual([
      ['x', 'y', 'x'],
      ['s', 's'],
    ]);
    expect(findParentCycles(new Map([['a', 'b']]))).toEqual([]);
  });
});

describe('custom field values', () => {
  it('checks and normalises each type', () => {
    expect(coerceCustomValue('number', '12.50')).toEqual({ ok: true, value: '12.5' });
    expect(coerceCustomValue('number', '-3')).toEqual({ ok: true, value: '-3' });
    expect(coerceCustomValue('number', '1e3')).toMatchObject({ ok: false });
    expect(coerceCustomValue('number', '12,5')).toMatchObject({ ok: false });
    expect(coerceCustomValue('date', '2026-02-28')).toEqual({ ok: true, value: '2026-02-28' });
    expect(coerceCustomValue('date', '2026-02-30')).toEqual({ ok: false, rule: 'is not a real calendar date' });
    expect(coerceCustomValue('date', '28.02.2026')).toMatchObject({ ok: false });
    for (const t of ['true', 'YES', '1']) expect(coerceCustomValue('bool', t)).toEqual({ ok: true, value: 'true' });
    for (const f of ['false', 'No', '0']) expect(coerceCustomValue('bool', f)).toEqual({ ok: true, value: 'false' });
    expect(coerceCustomValue('bool', 'maybe')).toMatchObject({ ok: false });
    expect(coerceCustomValue('text', '  x ')).toEqual({ ok: true, value: 'x' });
    expect(coerceCustomValue('text', '  ')).toEqual({ ok: true, value: null });
  });

  it('types stored values for JSON', () => {
    expect(customValueOut('number', '12.5')).toBe(12.5);
    expect(customValueOut('bool', 'false')).toBe(false);
    expect(customValueOut('date', '2026-01-01')).toBe('2026-01-01');
    expect(customValueOut('text', undefined)).toBeNull();
  });

  it('names unknown fields and bad values, matching names case-insensitively', () => {
    const defs = [
      { name: 'crm_id', type: 'text' as const, required: true },
      { name: 'seats', type: 'number' as const, required: false },
    ];
    const r = checkCustomValues(defs, { CRM_ID: 'A1', seats: 'many', colour: 'red' });
    expect(r.values).toEqual({ crm_id: 'A1' });
    expect(r.problems.map((p) => [p.field, p.value])).toEqual([
      ['seats', 'many'],
      ['colour', 'red'],
    ]);
    expect(missingRequiredFields(defs, { seats: '1' })).toEqual([expect.objectContaining({ field: 'crm_id' })]);
    expect(missingRequiredFields(defs, { crm_id: 'x' })).toEqual([]);
  });

  it('keeps field names to the CSV header form and away from account columns', () => {
    expect(customFieldNameProblem('crm_id')).toBeUndefined();
    expect(customFieldNameProblem('CRM id')).toBeDefined();
    expect(customFieldNameProblem('1st')).toBeDefined();
    expect(customFieldNameProblem('region')).toMatch(/already/);
    expect(customFieldNameProblem('fields')).toMatch(/already/);
  });
});
