/**
 * The words acctmgr writes into messages itself (stage labels, headings, subjects), in en and bg, with
 * the grammar a native speaker expects: Bulgarian "със" before a word beginning with с or з ("със
 * Средно училище"), real singular and plural forms ("1 учител не е влизал", "2 учители не са
 * влизали"). Locales without their own words here get the English ones.
 */
import type { Locale } from './templates.js';

type Words = 'en' | 'bg';
const words = (locale: Locale): Words => (locale === 'bg' ? 'bg' : 'en');

/** "with X": Bulgarian "с X", or "със X" before с/з. */
export function withName(locale: Locale, name: string): string {
  if (words(locale) === 'en') return `with ${name}`;
  return /^[„"'«(]?[сзСЗ]/.test(name) ? `със ${name}` : `с ${name}`;
}

/** `n` and the noun in the form that number takes (en and bg: singular for 1 only). */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const STAGE_LABELS: Record<Words, Record<string, string>> = {
  en: {
    'renewal-6w': 'ends in 6 weeks',
    'renewal-2w': 'ends in 2 weeks',
    'renewal-0d': 'ends today',
    'renewal+2w': 'ended 2 weeks ago',
    'renewal+3m': 'ended 3 months ago',
    'renewal+6m': 'ended 6 months ago',
    'dormant-3m': 'have not logged in for 3 months',
    'dormant-6m': 'have not logged in for 6 months',
    activation: 'activation code',
  },
  bg: {
    'renewal-6w': 'изтича след 6 седмици',
    'renewal-2w': 'изтича след 2 седмици',
    'renewal-0d': 'изтича днес',
    'renewal+2w': 'изтече преди 2 седмици',
    'renewal+3m': 'изтече преди 3 месеца',
    'renewal+6m': 'изтече преди 6 месеца',
    'dormant-3m': 'не са влизали от 3 месеца',
    'dormant-6m': 'не са влизали от 6 месеца',
    activation: 'код за активиране',
  },
};
/** The dormancy labels for one teacher: the verb agrees with its subject. */
const ONE_TEACHER: Record<Words, Record<string, string>> = {
  en: { 'dormant-3m': 'has not logged in for 3 months', 'dormant-6m': 'has not logged in for 6 months' },
  bg: { 'dormant-3m': 'не е влизал от 3 месеца', 'dormant-6m': 'не е влизал от 6 месеца' },
};

/** The stage as words; `count` is the number of teachers a dormancy stage is about. */
export function stageLabel(locale: Locale, stage: string, count = 2): string {
  const w = words(locale);
  return (count === 1 ? ONE_TEACHER[w][stage] : undefined) ?? STAGE_LABELS[w][stage] ?? stage;
}

/** The subscription's students counted: "1 student", "250 students"; Bulgarian "1 ученик", "250 ученици". */
export function studentsCounted(locale: Locale, n: number): string {
  return words(locale) === 'bg' ? counted(n, 'ученик', 'ученици') : counted(n, 'student', 'students');
}

export function teacherWord(locale: Locale, count: number): string {
  return words(locale) === 'bg' ? (count === 1 ? 'учител' : 'учители') : count === 1 ? 'teacher' : 'teachers';
}

export const KIND_HEADINGS: Record<Words, Record<string, string>> = {
  en: { renewal: 'Renewals', dormancy: 'Teachers who stopped logging in', activation: 'Activation codes' },
  bg: { renewal: 'Подновявания', dormancy: 'Учители, които не влизат', activation: 'Кодове за активиране' },
};

export function kindHeading(locale: Locale, kind: string, count: number): string {
  const w = words(locale);
  if (kind === 'activation' && count === 1) return w === 'bg' ? 'Код за активиране' : 'Activation code';
  return KIND_HEADINGS[w][kind] ?? kind;
}

/**
 * A digest's subject: an activation code (or several) alone goes under its own subject, naming the
 * subscription; anything else is "reminders" with their number in the right form.
 */
export function digestSubject(locale: Locale, date: string, kinds: readonly string[], subscriptions: readonly string[]): string {
  const bg = words(locale) === 'bg';
  const n = kinds.length;
  if (n > 0 && kinds.every((k) => k === 'activation')) {
    if (n === 1) return bg ? `Код за активиране на абонамент ${subscriptions[0]}` : `Activation code for subscription ${subscriptions[0]}`;
    return bg ? `Кодове за активиране на ${n} абонамента` : `Activation codes for ${n} subscriptions`;
  }
  return bg
    ? `Напомняния за ${date}: ${counted(n, 'напомняне', 'напомняния')}`
    : `Reminders for ${date}: ${counted(n, 'notice', 'notices')}`;
}
