import { describe, expect, it } from 'vitest';
import { asciiEmail, coerce, formatCents, isEmail, shapeError, toCents, type FieldSpec } from '../../src/lib/fields.js';

const f = (type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({ name: 'x', type, ...extra });

describe('field coercion', () => {
  it('reads booleans as true/false, 1/0, yes/no in any case; empty is false', () => {
    for (const v of ['true', 'TRUE', '1', 'Yes']) expect(coerce(f('bool'), v)).toEqual({ ok: true, value: true });
    for (const v of ['false', '0', 'no', 'NO', '']) expect(coerce(f('bool'), v)).toEqual({ ok: true, value: false });
    expect(coerce(f('bool'), 'maybe').ok).toBe(false);
  });

  it('checks money against ^\\d+(\\.\\d{1,2})?$ and keeps it out of floating point', () => {
    expect(coerce(f('money'), '800').ok).toBe(true);
    expect(coerce(f('money'), '800.5').ok).toBe(true);
    expect(coerce(f('money'), '800.555').ok).toBe(false);
    expect(coerce(f('money'), '-1').ok).toBe(false);
    expect(coerce(f('money'), '1,5').ok).toBe(false);
    expect(toCents('800')).toBe(80000);
    expect(toCents('0.1')).toBe(10);
    expect(toCents('19.99')).toBe(1999);
    expect(formatCents(80000)).toBe('800.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(-150)).toBe('-1.50');
  });

  it('lower-cases emails, logins and enum values and names the rule when they are wrong', () => {
    expect(coerce(f('email'), 'Anna@Example.COM')).toEqual({ ok: true, value: 'anna@example.com' });
    expect(coerce(f('email'), 'anna@')).toEqual({ ok: false, rule: 'is not a valid email address' });
    expect(coerce(f('login'), 'A.Kowalski_2')).toEqual({ ok: true, value: 'a.kowalski_2' });
    // the length is that of the stored, lower-cased address: İ (U+0130) lower-cases to i + U+0307
    const dotted = `${'\u0130'.repeat(240)}@example.co.uk`;
    expect([...dotted]).toHaveLength(254);
    expect(coerce(f('email'), dotted)).toEqual({ ok: false, rule: 'must be at most 254 characters' });
    expect(coerce(f('email'), dotted.slice(120))).toEqual({ ok: true, value: `${'i\u0307'.repeat(120)}@example.co.uk` });
    expect(coerce(f('login'), 'a kowalski').ok).toBe(false);
    expect(coerce(f('enum', { values: ['a', 'b'] }), 'B')).toEqual({ ok: true, value: 'b' });
    expect(coerce(f('enum', { values: ['a', 'b'] }), 'c')).toEqual({ ok: false, rule: 'must be one of a, b' });
  });

  it('separates shape errors (usage) from rule errors (data)', () => {
    expect(shapeError(f('int'), '12')).toBeUndefined();
    expect(shapeError(f('int'), '12.5')).toMatch(/whole number/);
    expect(shapeError(f('int'), '')).toBeUndefined(); // empty clears the field on edit
    expect(shapeError(f('date'), ' ')).toBeUndefined();
    expect(shapeError(f('date'), '2026-02-30')).toBeUndefined();
    expect(coerce(f('date'), '2026-02-30')).toEqual({ ok: false, rule: 'is not a real calendar date' });
    expect(shapeError(f('date'), '30.02.2026')).toMatch(/YYYY-MM-DD/);
    expect(coerce(f('int', { min: 0 }), '-1')).toEqual({ ok: false, rule: 'must be at least 0' });
  });

  it('names the limit of a whole number too large to hold exactly, in text and as a number', () => {
    const big = { ok: false, rule: 'must be at most 9007199254740991' };
    for (const v of ['9007199254740992', '9007199254740993', '99999999999999999999', '9'.repeat(400), 9007199254740992])
      expect(coerce(f('int', { min: 0 }), v)).toEqual(big);
    expect(coerce(f('int'), '-99999999999999999999')).toEqual({ ok: false, rule: 'must be at least -9007199254740991' });
    expect(coerce(f('int'), '9007199254740991')).toEqual({ ok: true, value: 9007199254740991 });
    // a field's own limit comes first
    expect(coerce(f('int', { max: 100 }), '99999999999999999999')).toEqual({ ok: false, rule: 'must be at most 100' });
    expect(coerce(f('int'), 1.5)).toEqual({ ok: false, rule: 'must be a whole number' });
  });

  it('treats an empty value as absent and splits lists on ;', () => {
    expect(coerce(f('text'), '  ')).toEqual({ ok: true, value: null });
    expect(coerce(f('list'), 'grades; attendance;;')).toEqual({ ok: true, value: ['grades', 'attendance'] });
  });
});

describe('isEmail', () => {
  const RE = /^[^\s@"'<>(),;:\\]+@[^\s@"'<>(),;:\\]+\.[^\s@"'<>(),;:\\]+$/;
  it('accepts exactly what the regular expression it replaces accepts', () => {
    const alphabet = [
      'a',
      'B',
      '1',
      '.',
      '@',
      '-',
      '_',
      '+',
      ' ',
      '\t',
      '"',
      "'",
      '<',
      '>',
      '(',
      ')',
      ',',
      ';',
      ':',
      '\\',
      'ł',
      '\u00a0',
      '\u2003',
      '\ufeff',
      '\u3000',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const samples = ['a@b.c', 'a@.bc', 'a@bc.', 'a@b..c', '@b.c', 'a@b', 'a.b@c', 'a@b@c.d', 'ü@ß.de', 'a b@c.d', 'a@b.c\u00a0'];
    for (let i = 0; i < 50_000; i++) {
      const len = 1 + Math.floor(next() * 9);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(next() * alphabet.length)];
      samples.push(s, `x${s}@y.z`, `a@${s}.b`, `a@b${s}`);
    }
    for (const s of samples) expect([s, isEmail(s)]).toEqual([s, RE.test(s)]);
    // the import's one-pass form: coerce's value for printable ASCII that isEmail accepts, else nothing
    const long = `${'a'.repeat(250)}@b.cd`;
    samples.push('A@B.CD', 'x\x7f@y.z', 'x\x1f@y.z', long, long.slice(1));
    for (const s of samples) {
      const printable = [...s].every((c) => c >= ' ' && c <= '~');
      const expected = printable && isEmail(s) && s.length <= 254 ? coerce({ name: 'email', type: 'email' }, s) : undefined;
      expect([s, asciiEmail(s)]).toEqual([s, expected === undefined ? undefined : expected.ok ? expected.value : 'refused']);
    }
  });
});
