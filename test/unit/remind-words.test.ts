/**
 * The words of locales other than en and bg (issue 14): `words.{locale}.json` in `--templates DIR` carries
 * the words code writes into messages (stage labels, headings, subjects, counted nouns in the plural forms
 * of the language), checked at load time like placeholders; a locale with templates but without words
 * gets the en words, said once on the run's one stderr line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidDataError } from '../../src/errors.js';
import { foldKey } from '../../src/lib/keys.js';
import { previewEmails } from '../../src/remind/run.js';
import { fallbackNote, loadTemplates } from '../../src/remind/templates.js';
import { SHIPPED_WORDS, checkWords, digestSubject, stageLabel, studentsCounted, teacherWord } from '../../src/remind/wording.js';
import { ROOT } from '../helpers/cli.js';
import { eachTestDb, tempDir, testOp } from '../helpers/db.js';

/** Polish: counted nouns in the forms one (1), few (2–4, 22–24 …), many (5–21 …) and other (fractions). */
const PL = {
  'stage.renewal-6w': 'kończy się za 6 tygodni',
  'stage.renewal-2w': 'kończy się za 2 tygodnie',
  'stage.renewal-0d': 'kończy się dzisiaj',
  'stage.renewal+2w': 'zakończyła się 2 tygodnie temu',
  'stage.renewal+3m': 'zakończyła się 3 miesiące temu',
  'stage.renewal+6m': 'zakończyła się 6 miesięcy temu',
  'stage.dormant-3m': 'nie logowali się od 3 miesięcy',
  'stage.dormant-6m': 'nie logowali się od 6 miesięcy',
  'stage.dormant-3m.one-teacher': 'nie logował się od 3 miesięcy',
  'stage.dormant-6m.one-teacher': 'nie logował się od 6 miesięcy',
  'stage.activation': 'kod aktywacyjny',
  'heading.renewal': 'Odnowienia',
  'heading.dormancy': 'Nauczyciele, którzy przestali się logować',
  'heading.activation': 'Kody aktywacyjne',
  'heading.activation.one': 'Kod aktywacyjny',
  'subject.activation': 'Kod aktywacyjny subskrypcji {subscription}',
  'subject.activations': 'Kody aktywacyjne dla {count} subskrypcji',
  'subject.reminders': 'Przypomnienia na {date}: {notices}',
  with: 'z {name}',
  'manager-line': 'Twój opiekun klienta:',
  student: { one: 'uczeń', few: 'uczniów', many: 'uczniów', other: 'ucznia' },
  teacher: { one: 'nauczyciel', few: 'nauczycieli', many: 'nauczycieli', other: 'nauczyciela' },
  notice: { one: 'przypomnienie', few: 'przypomnienia', many: 'przypomnień', other: 'przypomnienia' },
};

/** A templates dir with the Polish digest, renewal entry and invoice-issued message, and words.pl.json (none for null). */
function plDir(words: unknown = PL): string {
  const dir = tempDir('acctmgr-pl-templates-');
  fs.writeFileSync(path.join(dir, 'digest.pl.txt'), 'Subject: {{subject}}\n\nDzień dobry {{recipient_name}},\n\n{{sections}}\n');
  fs.writeFileSync(
    path.join(dir, 'renewal.pl.txt'),
    'Subskrypcja {{subscription_external_id}} ({{students_counted}}) {{stage_label}}. Porozmawiaj {{with_account_name}}.\n',
  );
  fs.writeFileSync(
    path.join(dir, 'invoice-issued.pl.txt'),
    'Subject: Faktura {{invoice_number}}\n\nKwota: {{amount}} {{currency}}\n{{manager_line}}\n',
  );
  if (words !== null) fs.writeFileSync(path.join(dir, 'words.pl.json'), JSON.stringify(words, null, 2));
  return dir;
}

const op = testOp(); // as of 2026-11-25
const t = eachTestDb();

async function plAccount(): Promise<void> {
  const anna = await t.seed.manager('anna', { name: 'Anna Kowalska' });
  const pl = await t.seed.account('SCH-PL', { manager: anna, name: 'Szkoła Podstawowa nr 12', locale: 'pl' });
  await t.seed.contact(pl, 'dyrektor@sp12.example', { is_primary: true, name: 'Ewa' });
  // two subscriptions ending in two weeks: two renewal-2w notices for anna
  await t.seed.subscription('S-1', { account: pl, end_date: '2026-12-09' });
  await t.seed.subscription('S-2', { account: pl, end_date: '2026-12-09' });
  const line = { description: 'Subskrypcja', quantity: 1, unit_price_cents: 80_000, amount_cents: 80_000 };
  await t.db
    .insertInto('invoices')
    .values({
      ...{ number: 'INV-2026-00001', number_key: foldKey('INV-2026-00001'), year: 2026, seq: 1, account_id: pl },
      ...{ lines_json: JSON.stringify([line]), amount_cents: 80_000, currency: 'PLN', issued_on: '2026-11-24', due_on: '2026-12-08' },
      ...{ status: 'issued', created_at: op.now, updated_at: op.now },
    })
    .execute();
}

describe('words of other locales (words.{locale}.json in --templates DIR)', () => {
  it('a Polish account gets Polish stage labels, subject and counted nouns (one, few, many) in the rendered messages; nothing noted', async () => {
    await plAccount();
    const dir = plDir();
    try {
      const { messages, template_note } = await previewEmails(t.db, op, { templatesDir: dir });
      const digest = messages.find((m) => m.to.email === 'anna@vendor.example')!;
      expect(digest.subject).toBe('Przypomnienia na 2026-11-25: 2 przypomnienia');
      expect(digest.text).toContain('Odnowienia\n==========');
      expect(digest.text).toContain('Subskrypcja S-1 (100 uczniów) kończy się za 2 tygodnie. Porozmawiaj z Szkoła Podstawowa nr 12.');
      const invoice = messages.find((m) => m.to.email === 'dyrektor@sp12.example')!;
      expect(invoice.text).toContain('Twój opiekun klienta: Anna Kowalska <anna@vendor.example>');
      expect(template_note).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Polish templates without words.pl.json: the en words, and the run says so once on its one note line', async () => {
    await plAccount();
    const dir = plDir(null);
    try {
      const { messages, template_note } = await previewEmails(t.db, op, { templatesDir: dir });
      const digest = messages.find((m) => m.to.email === 'anna@vendor.example')!;
      expect(digest.subject).toBe('Reminders for 2026-11-25: 2 notices');
      expect(digest.text).toContain('Subskrypcja S-1 (100 students) ends in 2 weeks.');
      expect(template_note).toBe('no words for locale pl (words.pl.json in --templates): used the en words');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the plural form the language gives each number', () => {
    const dir = plDir();
    try {
      const words = loadTemplates(dir).words('pl');
      expect([1, 2, 4, 5, 12, 22, 25, 101].map((n) => studentsCounted(words, n))).toEqual([
        '1 uczeń',
        '2 uczniów',
        '4 uczniów',
        '5 uczniów',
        '12 uczniów',
        '22 uczniów',
        '25 uczniów',
        '101 uczniów',
      ]);
      expect([1, 3, 5, 22].map((n) => digestSubject(words, '2026-11-25', Array<string>(n).fill('renewal'), []))).toEqual([
        'Przypomnienia na 2026-11-25: 1 przypomnienie',
        'Przypomnienia na 2026-11-25: 3 przypomnienia',
        'Przypomnienia na 2026-11-25: 5 przypomnień',
        'Przypomnienia na 2026-11-25: 22 przypomnienia',
      ]);
      expect(teacherWord(words, 1)).toBe('nauczyciel');
      expect(stageLabel(words, 'dormant-3m', 1)).toBe('nie logował się od 3 miesięcy');
      expect(stageLabel(words, 'dormant-3m', 2)).toBe('nie logowali się od 3 miesięcy');
      expect(digestSubject(words, '2026-11-25', ['activation'], ['S-9'])).toBe('Kod aktywacyjny subskrypcji S-9');
      // the shipped words are unchanged
      const shipped = loadTemplates();
      expect(studentsCounted(shipped.words('bg'), 250)).toBe('250 ученици');
      expect(digestSubject(shipped.words('en'), '2026-11-25', ['renewal'], [])).toBe('Reminders for 2026-11-25: 1 notice');
      expect(fallbackNote(shipped)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/remind.md shows exactly the en words (the keys a words file has)', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/remind.md'), 'utf8');
    const block = /### The words of a locale[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(JSON.parse(block)).toEqual(SHIPPED_WORDS.get('en'));
  });

  it('an unknown or missing key, a placeholder the word does not have, a missing plural form or bad JSON: refused at load time naming the file and key', () => {
    const broken: Record<string, unknown> = { ...PL, 'stage.renewal-7w': 'x', with: 'z {school}' };
    delete broken['heading.renewal'];
    broken.student = { one: 'uczeń', other: 'ucznia' };
    const dir = plDir(broken);
    const file = path.join(dir, 'words.pl.json');
    try {
      const e = (() => {
        try {
          loadTemplates(dir);
        } catch (x) {
          return x as InvalidDataError;
        }
        throw new Error('loadTemplates accepted a broken words file');
      })();
      expect(e).toBeInstanceOf(InvalidDataError);
      expect(e.problems).toEqual([
        { field: file, value: 'stage.renewal-7w', rule: 'is not a key of the words (see docs/remind.md)' },
        { field: file, value: 'heading.renewal', rule: 'is missing: a words file has every key of the en words' },
        { field: file, value: 'with', rule: '{school} is not a placeholder of this word ({name})' },
        { field: file, value: 'student', rule: 'needs its "few" form (pl: few, many, one, other)' },
        { field: file, value: 'student', rule: 'needs its "many" form (pl: few, many, one, other)' },
      ]);
      fs.writeFileSync(file, '{"with": ');
      expect(() => loadTemplates(dir)).toThrow(InvalidDataError);
      expect(checkWords('w.json', 'en', ['a']).problems).toMatchObject([
        { field: 'w.json', rule: expect.stringMatching(/^must be a JSON object/) },
      ]);
      expect(checkWords('w.json', 'en', { ...SHIPPED_WORDS.get('en'), student: { one: 'a', other: 'b', few: 'c' } }).problems).toEqual([
        { field: 'w.json', value: 'student', rule: '"few" is not a plural form of en (one, other)' },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
