/**
 * The words acctmgr writes into messages itself (stage labels, headings, subjects, "with …", counted
 * nouns), in en and bg, with the grammar a native speaker expects: Bulgarian "със" before a word
 * beginning with с or з ("със Средно училище"), real singular and plural forms ("1 учител не е влизал",
 * "2 учители не са влизали"). Another locale brings its words in a `words.{locale}.json` of
 * `--templates DIR` (checked by checkWords: exactly the keys of the en table); a counted noun there has
 * the plural forms its language needs (Intl.PluralRules: Polish one, few, many, other).
 */
import type { FieldProblem } from '../errors.js';
import type { Locale } from './templates.js';

/** A counted noun's forms by plural category (CLDR: zero, one, two, few, many, other). */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>>;
export type WordTable = Record<string, string | PluralForms>;

/** The words of one locale. */
export interface Words {
  locale: Locale;
  table: WordTable;
}

const EN: WordTable = {
  'stage.renewal-6w': 'ends in 6 weeks',
  'stage.renewal-2w': 'ends in 2 weeks',
  'stage.renewal-0d': 'ends today',
  'stage.renewal+2w': 'ended 2 weeks ago',
  'stage.renewal+3m': 'ended 3 months ago',
  'stage.renewal+6m': 'ended 6 months ago',
  'stage.dormant-3m': 'have not logged in for 3 months',
  'stage.dormant-6m': 'have not logged in for 6 months',
  'stage.dormant-3m.one-teacher': 'has not logged in for 3 months',
  'stage.dormant-6m.one-teacher': 'has not logged in for 6 months',
  'stage.activation': 'activation code',
  'heading.renewal': 'Renewals',
  'heading.dormancy': 'Teachers who stopped logging in',
  'heading.activation': 'Activation codes',
  'heading.activation.one': 'Activation code',
  'subject.activation': 'Activation code for subscription {subscription}',
  'subject.activations': 'Activation codes for {count} subscriptions',
  'subject.reminders': 'Reminders for {date}: {notices}',
  with: 'with {name}',
  'manager-line': 'Your account manager:',
  student: { one: 'student', other: 'students' },
  teacher: { one: 'teacher', other: 'teachers' },
  notice: { one: 'notice', other: 'notices' },
};

const BG: WordTable = {
  'stage.renewal-6w': 'изтича след 6 седмици',
  'stage.renewal-2w': 'изтича след 2 седмици',
  'stage.renewal-0d': 'изтича днес',
  'stage.renewal+2w': 'изтече преди 2 седмици',
  'stage.renewal+3m': 'изтече преди 3 месеца',
  'stage.renewal+6m': 'изтече преди 6 месеца',
  'stage.dormant-3m': 'не са влизали от 3 месеца',
  'stage.dormant-6m': 'не са влизали от 6 месеца',
  'stage.dormant-3m.one-teacher': 'не е влизал от 3 месеца',
  'stage.dormant-6m.one-teacher': 'не е влизал от 6 месеца',
  'stage.activation': 'код за активиране',
  'heading.renewal': 'Подновявания',
  'heading.dormancy': 'Учители, които не влизат',
  'heading.activation': 'Кодове за активиране',
  'heading.activation.one': 'Код за активиране',
  'subject.activation': 'Код за активиране на абонамент {subscription}',
  'subject.activations': 'Кодове за активиране на {count} абонамента',
  'subject.reminders': 'Напомняния за {date}: {notices}',
  // "със" before с/з: withName
  with: 'с {name}',
  'manager-line': 'Вашият акаунт мениджър:',
  student: { one: 'ученик', other: 'ученици' },
  teacher: { one: 'учител', other: 'учители' },
  notice: { one: 'напомняне', other: 'напомняния' },
};

/** The words acctmgr ships: en (every key a words file must have) and bg. */
export const SHIPPED_WORDS: ReadonlyMap<Locale, WordTable> = new Map([
  ['en', EN],
  ['bg', BG],
]);

/** The shipped words of a locale (en for one without them): for callers that name a locale, not loaded words. */
function wordsOf(w: Words | Locale): Words {
  if (typeof w !== 'string') return w;
  const table = SHIPPED_WORDS.get(w);
  return table ? { locale: w, table } : { locale: 'en', table: EN };
}

const PLACEHOLDER_RE = /\{([a-z]+)\}/g;

function text(w: Words, key: string, values: Record<string, string | number> = {}): string {
  const v = w.table[key] ?? EN[key];
  const s = typeof v === 'string' ? v : key;
  return s.replace(PLACEHOLDER_RE, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** `n` and the noun in the form its language gives that number (Intl.PluralRules of the locale). */
function countedNoun(w: Words, key: string, n: number): string {
  const forms = (typeof w.table[key] === 'object' ? w.table[key] : EN[key]) as PluralForms;
  const category = new Intl.PluralRules(w.locale).select(n);
  return `${n} ${forms[category] ?? forms.other ?? key}`;
}

/** "with X": Bulgarian "с X", or "със X" before с/з. */
export function withName(words: Words | Locale, name: string): string {
  const w = wordsOf(words);
  const filled = text(w, 'with', { name });
  return w.locale === 'bg' && /^[„"'«(]?[сзСЗ]/.test(name) ? filled.replace(/^с /, 'със ') : filled;
}

/** `n` and the noun in the form that number takes (en and bg: singular for 1 only). */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The stage as words; `count` is the number of teachers a dormancy stage is about. */
export function stageLabel(words: Words | Locale, stage: string, count = 2): string {
  const w = wordsOf(words);
  const one = count === 1 ? w.table[`stage.${stage}.one-teacher`] : undefined;
  if (typeof one === 'string') return one;
  return `stage.${stage}` in w.table ? text(w, `stage.${stage}`) : stage;
}

/** The subscription's students counted: "1 student", "250 students"; Bulgarian "1 ученик", "250 ученици". */
export function studentsCounted(words: Words | Locale, n: number): string {
  return countedNoun(wordsOf(words), 'student', n);
}

/** The noun alone, in the form that goes with `count` ("teacher", "teachers"). */
export function teacherWord(words: Words | Locale, count: number): string {
  return countedNoun(wordsOf(words), 'teacher', count).slice(String(count).length + 1);
}

export function kindHeading(words: Words | Locale, kind: string, count: number): string {
  const w = wordsOf(words);
  if (kind === 'activation' && count === 1) return text(w, 'heading.activation.one');
  return `heading.${kind}` in w.table ? text(w, `heading.${kind}`) : kind;
}

/**
 * A digest's subject: an activation code (or several) alone goes under its own subject, naming the
 * subscription; anything else is "reminders" with their number in the right form.
 */
export function digestSubject(words: Words | Locale, date: string, kinds: readonly string[], subscriptions: readonly string[]): string {
  const w = wordsOf(words);
  const n = kinds.length;
  if (n > 0 && kinds.every((k) => k === 'activation')) {
    if (n === 1) return text(w, 'subject.activation', { subscription: subscriptions[0] ?? '' });
    return text(w, 'subject.activations', { count: n });
  }
  return text(w, 'subject.reminders', { date, notices: countedNoun(w, 'notice', n) });
}

/** "Your account manager:" before the manager's name in a customer message. */
export function managerLine(words: Words | Locale): string {
  return text(wordsOf(words), 'manager-line');
}

/**
 * A words file's content checked against the en table: an object with exactly its keys, each a text
 * using only the {placeholders} of the en text, or (a counted noun) an object with a form for every
 * plural category of the locale and no other. Problems name the file and the key.
 */
export function checkWords(file: string, locale: Locale, parsed: unknown): { table?: WordTable; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (value: string, rule: string) => problems.push({ field: file, value, rule });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    bad('', 'must be a JSON object of the words (the keys of the en words: docs/remind.md)');
    return { problems };
  }
  const given = parsed as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!(key in EN)) bad(key, 'is not a key of the words (see docs/remind.md)');
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  for (const [key, en] of Object.entries(EN)) {
    const v = given[key];
    if (v === undefined) {
      bad(key, 'is missing: a words file has every key of the en words');
    } else if (typeof en === 'string') {
      if (typeof v !== 'string' || v.trim() === '') bad(key, 'must be a non-empty text');
      else {
        const allowed = [...en.matchAll(PLACEHOLDER_RE)].map((m) => m[1]);
        for (const m of v.matchAll(PLACEHOLDER_RE))
          if (!allowed.includes(m[1]))
            bad(key, `{${m[1]}} is not a placeholder of this word (${allowed.map((a) => `{${a}}`).join(', ') || 'none'})`);
      }
    } else if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      bad(key, `must be an object of plural forms (${categories.join(', ')})`);
    } else {
      const forms = v as Record<string, unknown>;
      for (const c of Object.keys(forms))
        if (!(categories as readonly string[]).includes(c)) bad(key, `"${c}" is not a plural form of ${locale} (${categories.join(', ')})`);
      for (const c of categories)
        if (typeof forms[c] !== 'string' || forms[c].trim() === '') bad(key, `needs its "${c}" form (${locale}: ${categories.join(', ')})`);
    }
  }
  return problems.length > 0 ? { problems } : { table: given as WordTable, problems };
}
