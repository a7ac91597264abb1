import { describe, expect, it } from 'vitest';
import { coerceCustomValue } from '../../src/accounts/rules.js';
import { canonicalDecimal, plainNumber } from '../../src/lib/decimal.js';
import { csvCell } from '../../src/output/csv.js';

describe('custom number fields: plain decimal, never a digit lost', () => {
  it('plainNumber writes every double in plain decimal, which reads back as the same double', () => {
    const cases: [number, string][] = [
      [1e23, '100000000000000000000000'],
      [1e21, '1000000000000000000000'],
      [1.5e-7, '0.00000015'],
      [-1e-7, '-0.0000001'],
      [1.2345e-10, '0.00000000012345'],
      [12.5, '12.5'],
      [0, '0'],
      [-3, '-3'],
    ];
    for (const [n, text] of cases) {
      expect(plainNumber(n)).toBe(text);
      expect(Number(text)).toBe(n);
    }
    expect(csvCell(1e23)).toBe('100000000000000000000000');
  });

  it('canonicalDecimal drops +, leading and trailing zeros, and the sign of zero', () => {
    expect(['+0012.50', '-0', '-0.000', '.5', '5.0', '-007.010', '0'].map(canonicalDecimal)).toEqual([
      '12.5',
      '0',
      '0',
      '0.5',
      '5',
      '-7.01',
      '0',
    ]);
  });

  it('a value is stored in plain decimal, or refused when a double cannot give it back digit for digit', () => {
    expect(coerceCustomValue('number', '100000000000000000000000')).toEqual({ ok: true, value: '100000000000000000000000' });
    expect(coerceCustomValue('number', '0.0000001')).toEqual({ ok: true, value: '0.0000001' });
    expect(coerceCustomValue('number', '12.50')).toEqual({ ok: true, value: '12.5' });
    expect(coerceCustomValue('number', '9007199254740992')).toEqual({ ok: true, value: '9007199254740992' });
    expect(coerceCustomValue('number', '9007199254740993')).toEqual({
      ok: false,
      rule: 'cannot be kept exactly: a number field holds about 15 significant digits (it would become 9007199254740992; a text field keeps any digits)',
    });
    expect(coerceCustomValue('number', '12345678901234567890.123456789')).toMatchObject({ ok: false });
    expect(coerceCustomValue('number', '1e3')).toMatchObject({ ok: false, rule: 'must be a number, e.g. 12 or 12.5' });
  });
});
