import { describe, expect, it } from 'vitest';
import { CASE_FOLDING_UNICODE, EMAIL_MAX, foldKey, keyProblem, lineProblem, noteProblem } from '../../src/lib/keys.js';
import { coerce, type FieldSpec } from '../../src/lib/fields.js';
import { coerceCell } from '../../src/import/entities/coerce.js';
import type { RowProblem } from '../../src/import/errors.js';

const fold = (...keys: string[]) => keys.map(foldKey);

describe('foldKey: NFC, Unicode full case folding, NFC', () => {
  it('pins the Unicode version: the case folding table and Node.js (ICU, NFC) are both Unicode 17', () => {
    expect(CASE_FOLDING_UNICODE).toBe('17.0.0');
    // a newer Node.js speaks a newer Unicode: regenerate the table (scripts/gen-case-folding.mjs) and refold the keys
    expect(process.versions.unicode?.split('.')[0]).toBe('17');
  });

  it('folds Greek sigmas, Turkish dotted I, German sharp s, Cyrillic and Latin capitals together', () => {
    expect(new Set(fold('ΟΔΟΣ', 'οδοσ', 'οδος', 'Οδος'))).toEqual(new Set(['οδοσ']));
    expect(fold('İ', 'i\u0307')).toEqual(['i\u0307', 'i\u0307']);
    expect(new Set(fold('STRASSE', 'straße', 'Straße', 'STRAẞE'))).toEqual(new Set(['strasse']));
    expect(new Set(fold('УЧ-001', 'уч-001', 'Уч-001'))).toEqual(new Set(['уч-001']));
    expect(new Set(fold('ŠKOLA', 'škola', 'S\u030ckola'))).toEqual(new Set(['škola'])); // composed or not: NFC
    expect(fold('\ufb01le', '\u212a')).toEqual(['file', 'k']); // the ligature fi; the Kelvin sign
    expect(foldKey('ı')).not.toBe(foldKey('I')); // dotless ı is its own letter (no Turkish-only folding)
  });

  it('takes the ASCII fast path with exactly the result of the full fold', () => {
    for (let c = 0; c < 128; c++) {
      const s = `a${String.fromCharCode(c)}Z`;
      expect(foldKey(s)).toBe(s.toLowerCase());
    }
    const lower = 'already-lower@example.com';
    expect(foldKey(lower)).toBe(lower);
  });

  it('is idempotent, and folds a lower-cased text as it folds the text, for every code point', () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      const f = foldKey(s);
      if (foldKey(f) !== f || foldKey(s.toLowerCase()) !== f) expect.fail(`U+${cp.toString(16)}`);
    }
  });
});

describe('what a key, a one-line text and a note may hold', () => {
  const keyRule = 'must not contain control characters, line breaks or invisible formatting characters';
  it('keys refuse control characters, line breaks and invisible formatting characters, and hold at most 100 code points after NFC', () => {
    for (const [bad, found] of [
      ['a\tb', '0009'],
      ['a\nb', '000A'],
      ['a\u007fb', '007F'],
      ['a\u0085b', '0085'],
      ['a\u200bb', '200B'],
      ['a\u202eb', '202E'],
      ['a\u2066b', '2066'],
      ['a\u2028b', '2028'],
      ['a\ufeffb', 'FEFF'],
    ]) {
      expect(keyProblem(bad!)).toBe(`${keyRule} (found U+${found})`);
    }
    expect(keyProblem('Община Пловдив 12')).toBeUndefined();
    expect(keyProblem('x'.repeat(100))).toBeUndefined();
    expect(keyProblem('x'.repeat(101))).toBe('must be at most 100 characters');
    expect(keyProblem('ж'.repeat(100))).toBeUndefined();
    expect(keyProblem('😀'.repeat(100))).toBeUndefined(); // 100 code points, 200 UTF-16 units
    expect(keyProblem('e\u0301'.repeat(100))).toBeUndefined(); // 200 code points, 100 after NFC
    expect(keyProblem('\u2adc'.repeat(60))).toBe('must be at most 100 characters'); // NFC decomposes it: 120
    expect(keyProblem(`${'a'.repeat(240)}@b.example`, EMAIL_MAX)).toBeUndefined();
  });

  it('one-line text refuses control characters, tabs and line breaks, and holds at most 200', () => {
    expect(lineProblem('Maria\tIvanova')).toBe('must not contain control characters, tabs or line breaks (found U+0009)');
    expect(lineProblem('line\r\nbreak')).toBe('must not contain control characters, tabs or line breaks (found U+000D)');
    expect(lineProblem('Мария Иванова \u200d')).toBeUndefined(); // a joiner belongs to some scripts' spelling
    expect(lineProblem('я'.repeat(200))).toBeUndefined();
    expect(lineProblem('я'.repeat(201))).toBe('must be at most 200 characters');
  });

  it('notes keep tabs and line breaks, refuse other control characters, and hold at most 10,000', () => {
    expect(noteProblem('first\tline\r\nsecond line\n')).toBeUndefined();
    expect(noteProblem('bell\u0007')).toBe('must not contain control characters other than tabs and line breaks (found U+0007)');
    expect(noteProblem('x'.repeat(10_000))).toBeUndefined();
    expect(noteProblem('x'.repeat(10_001))).toBe('must be at most 10000 characters');
  });

  it('the field types apply them: key, text, note, email (254), login (100), list items', () => {
    const f = (type: FieldSpec['type'], name = 'x'): FieldSpec => ({ name, type });
    expect(coerce(f('key'), '  УЧ-001 ')).toEqual({ ok: true, value: 'УЧ-001' });
    expect(coerce(f('key'), 'a\u200bb')).toEqual({ ok: false, rule: `${keyRule} (found U+200B)` });
    expect(coerce(f('text'), 'a\tb')).toMatchObject({ ok: false });
    expect(coerce(f('note'), 'a\nb')).toEqual({ ok: true, value: 'a\nb' });
    expect(coerce(f('email'), `${'a'.repeat(250)}@b.example`)).toEqual({ ok: false, rule: 'must be at most 254 characters' });
    expect(coerce(f('email'), 'ΟΔΟΣ@Σχολείο.gr')).toEqual({ ok: true, value: 'οδος@σχολείο.gr' });
    expect(coerce(f('email'), 'a\u0001b@c.example')).toEqual({ ok: false, rule: `${keyRule} (found U+0001)` });
    expect(coerce(f('login'), 'L'.repeat(101))).toEqual({ ok: false, rule: 'must be at most 100 characters' });
    expect(coerce(f('list'), 'grades;at\ttendance')).toMatchObject({
      ok: false,
      rule: 'must not contain control characters, tabs or line breaks (found U+0009)',
    });
  });

  it("the import's fast path for cells gives exactly what the field types give", () => {
    const cells: [FieldSpec['type'], string[]][] = [
      [
        'email',
        [
          'Anna@School.example',
          'ΟΔΟΣ@Σχολείο.gr',
          'a\u0001b@c.example',
          'a\u007fb@c.example',
          `${'a'.repeat(250)}@b.example`,
          'not-an-email',
        ],
      ],
      ['key', ['SCH-1', 'УЧ-001', 'a\u200bb', 'X'.repeat(101)]],
      ['text', ['Maria', 'Мария', 'Tab\there', 'я'.repeat(201)]],
    ];
    for (const [type, values] of cells) {
      for (const cell of values) {
        const problems: RowProblem[] = [];
        const fast = coerceCell({ name: 'x', type }, cell, 'YYYY-MM-DD', problems);
        const r = coerce({ name: 'x', type }, cell);
        expect([cell, r.ok ? fast : problems[0]?.rule]).toEqual([cell, r.ok ? r.value : r.rule]);
      }
    }
  });
});
