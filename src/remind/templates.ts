/**
 * Message templates: `{kind}.{locale}.txt` for one entry of a digest and `digest.{locale}.txt` for the
 * whole message (first line `Subject: …`), with `{{placeholder}}` names. Defaults live in the
 * repository's `templates/` directory; `--templates DIR` overrides any of them file by file, and may
 * carry the words of a locale (`words.{locale}.json`: src/remind/wording.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidDataError, invalid, type FieldProblem } from '../errors.js';
import { checkWords, SHIPPED_WORDS, type WordTable, type Words } from './wording.js';

/** The locales whose templates ship with acctmgr; `--templates DIR` may add others (`renewal.pl.txt`). */
export const LOCALES = ['en', 'bg'] as const;
/** A template locale: the language part of an account's locale (bg-BG → bg), lower case. */
export type Locale = string;
const LOCALE_RE = /^[a-z]{2,3}$/;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && LOCALE_RE.test(value);
}
/** `renewal-customer`, `activation-customer`: the same entries written to the customer (a tutor), not to a manager. */
export const TEMPLATE_NAMES = [
  'digest',
  'renewal',
  'dormancy',
  'activation',
  'renewal-customer',
  'activation-customer',
  'invoice-issued',
  'invoice-paid',
  'invoice-overdue',
  'manager-changed',
] as const;
/** Whole messages (first line `Subject: …`): the managers' digest and the customer notices, one per message. */
const MESSAGES: readonly TemplateName[] = ['digest', 'invoice-issued', 'invoice-paid', 'invoice-overdue', 'manager-changed'];
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const COMMON = [
  'account_name',
  'account_external_id',
  'with_account_name',
  'subscription_external_id',
  'product',
  'plan',
  'students',
  'students_counted',
  'start_date',
  'end_date',
  'stage',
  'stage_label',
  'due_date',
  'recipient_name',
];
/** The placeholders of the customers' invoice notices. */
const CUSTOMER = [
  'recipient_name',
  'account_name',
  'account_external_id',
  'invoice_number',
  'subscription_external_id',
  'training_id',
  'period',
  'amount',
  'currency',
  'issued_on',
  'due_on',
  'paid_on',
  'days_overdue',
  'manager_name',
  'manager_email',
  'manager_line',
  'date',
];
/** The placeholders each template may use (docs/remind.md lists them). */
const PLACEHOLDERS: Record<TemplateName, readonly string[]> = {
  digest: ['recipient_name', 'recipient_email', 'date', 'count', 'subject', 'sections'],
  renewal: COMMON,
  dormancy: [...COMMON, 'teachers', 'teacher_count', 'teacher_word'],
  activation: [...COMMON, 'activation_code', 'paid_at'],
  'renewal-customer': COMMON,
  'activation-customer': [...COMMON, 'activation_code', 'paid_at'],
  'invoice-issued': CUSTOMER,
  'invoice-paid': CUSTOMER,
  'invoice-overdue': CUSTOMER,
  'manager-changed': [
    'recipient_name',
    'account_name',
    'account_external_id',
    'manager_name',
    'with_manager_name',
    'manager_email',
    'manager_phone',
    'manager_contact',
    'previous_manager_name',
    'changed_on',
    'date',
  ],
};

/**
 * The loaded templates: `text` gives a template in a locale, or in the fallback locale when that locale
 * has none (noting it in `fallbacks`, locale → kinds, for the one stderr line a run prints).
 */
export interface Templates {
  readonly fallback: Locale;
  /** every locale with at least one template (the shipped ones and those of --templates DIR) */
  readonly locales: ReadonlySet<Locale>;
  /** the locale a template of `name` is written in for an account of `locale` */
  localeFor(name: TemplateName, locale: Locale | null): Locale;
  text(name: TemplateName, locale: Locale | null): string;
  /** account locale → the template kinds that fell back, in this run */
  readonly fallbacks: Map<Locale, Set<TemplateName>>;
  /**
   * The words of a locale whose templates are used (shipped, or `words.{locale}.json` of --templates DIR);
   * a locale without words gets the fallback's (else en), noted in `wordFallbacks`.
   */
  words(locale: Locale): Words;
  /** the locales whose templates were used without their words, in this run */
  readonly wordFallbacks: Set<Locale>;
  /** whose words those got: the fallback locale's when it has words, else en */
  readonly wordsFallback: Locale;
}

const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z_]+)\s*\}\}/g;
const FILE_RE = /^([a-z-]+)\.([a-z]{2,3})\.txt$/;
const WORDS_RE = /^words\.([a-z]{2,3})\.json$/;

/** The repository's templates/ directory, from src/remind (tests) or dist/src/remind (the build). */
function defaultTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../templates'), path.resolve(here, '../../../templates')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'renewal.en.txt'))) ?? candidates[0]!;
}

/** `{name}.{locale}.txt` files of a directory whose name is a template's, by `name.locale`. */
function templateFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of fs.readdirSync(dir).sort()) {
    const m = FILE_RE.exec(file);
    if (m && (TEMPLATE_NAMES as readonly string[]).includes(m[1]!)) out.set(`${m[1]}.${m[2]}`, path.join(dir, file));
  }
  return out;
}

/** The `words.{locale}.json` files of --templates DIR, checked; every problem names the file and the key. */
function loadWords(dir: string | undefined, problems: FieldProblem[]): Map<Locale, WordTable> {
  const out = new Map(SHIPPED_WORDS);
  if (dir === undefined) return out;
  for (const file of fs.readdirSync(dir).sort()) {
    const m = WORDS_RE.exec(file);
    if (!m) continue;
    const chosen = path.join(dir, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(chosen, 'utf8'));
    } catch (e) {
      problems.push({ field: chosen, value: '', rule: `is not JSON: ${(e as Error).message}` });
      continue;
    }
    const checked = checkWords(chosen, m[1]!, parsed);
    problems.push(...checked.problems);
    if (checked.table) out.set(m[1]!, checked.table);
  }
  return out;
}

/**
 * Loads the shipped templates and those of `overrideDir` (any locale: a `pl` file serves accounts whose
 * locale is pl), checking every placeholder. `fallback` must have every template.
 */
export function loadTemplates(overrideDir?: string, fallback: Locale = 'en'): Templates {
  if (overrideDir !== undefined && !fs.statSync(overrideDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw invalid('templates', overrideDir, 'is not a directory');
  }
  const files = templateFiles(defaultTemplatesDir());
  if (overrideDir !== undefined) for (const [k, f] of templateFiles(overrideDir)) files.set(k, f);
  const texts = new Map<string, string>();
  const problems: FieldProblem[] = [];
  for (const [key, chosen] of files) {
    const name = key.slice(0, key.lastIndexOf('.')) as TemplateName;
    const text = fs.readFileSync(chosen, 'utf8');
    problems.push(...placeholderProblems(chosen, name, text));
    if (MESSAGES.includes(name) && !/^Subject: /.test(text))
      problems.push({ field: chosen, value: text.split('\n')[0], rule: 'the first line must be "Subject: …"' });
    texts.set(key, text);
  }
  const wordTables = loadWords(overrideDir, problems);
  const missing = TEMPLATE_NAMES.filter((n) => !texts.has(`${n}.${fallback}`));
  if (missing.length > 0)
    problems.push({
      field: 'locale_fallback',
      value: fallback,
      rule: `has no templates ${missing.map((n) => `${n}.${fallback}.txt`).join(', ')}: the fallback locale needs every template`,
    });
  if (problems.length > 0) throw new InvalidDataError(problems, `placeholders: see docs/remind.md, "Email: the digest and its templates"`);
  const locales = new Set([...texts.keys()].map((k) => k.slice(k.lastIndexOf('.') + 1)));
  const fallbacks = new Map<Locale, Set<TemplateName>>();
  const localeFor = (name: TemplateName, locale: Locale | null): Locale => {
    if (locale !== null && texts.has(`${name}.${locale}`)) return locale;
    if (locale !== null) {
      const kinds = fallbacks.get(locale) ?? new Set<TemplateName>();
      kinds.add(name);
      fallbacks.set(locale, kinds);
    }
    return fallback;
  };
  const wordFallbacks = new Set<Locale>();
  const wordsFallback = wordTables.has(fallback) ? fallback : 'en';
  const words = (locale: Locale): Words => {
    const table = wordTables.get(locale);
    if (table) return { locale, table };
    wordFallbacks.add(locale);
    return { locale: wordsFallback, table: wordTables.get(wordsFallback)! };
  };
  return {
    fallback,
    locales,
    fallbacks,
    localeFor,
    text: (name, locale) => texts.get(`${name}.${localeFor(name, locale)}`)!,
    words,
    wordFallbacks,
    wordsFallback,
  };
}

/**
 * The one stderr line of a run whose accounts' locales lacked templates (which locale, which kinds, and the
 * fallback) or had templates without their words (`words.{locale}.json`).
 */
export function fallbackNote(t: Templates): string | undefined {
  const notes: string[] = [];
  if (t.fallbacks.size > 0) {
    const parts = [...t.fallbacks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([l, kinds]) => `${l} (${[...kinds].sort().join(', ')})`);
    notes.push(`no templates for locale ${parts.join('; ')}: used the ${t.fallback} ones (locale_fallback)`);
  }
  if (t.wordFallbacks.size > 0) {
    const locales = [...t.wordFallbacks].sort();
    const files = locales.map((l) => `words.${l}.json`).join(', ');
    notes.push(`no words for locale ${locales.join(', ')} (${files} in --templates): used the ${t.wordsFallback} words`);
  }
  return notes.length > 0 ? notes.join('; ') : undefined;
}

/**
 * Every `{{…}}` of a template that is not one of its kind's placeholders, and every `{{` or `}}` that opens
 * or closes none (a brace left out or too many): each names the file and its line. Anything `fill` would
 * leave as written is refused here — a message is never sent with `{{ sections }` in it.
 */
function placeholderProblems(file: string, name: TemplateName, text: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  text.split('\n').forEach((line, i) => {
    const field = `${file}:${i + 1}`;
    for (const m of line.matchAll(/\{\{([^{}]*)\}\}/g)) {
      const known = /^\s*[a-zA-Z_]+\s*$/.test(m[1]!) && PLACEHOLDERS[name].includes(m[1]!.trim());
      if (!known) problems.push({ field, value: m[0], rule: `is not a placeholder of ${name} templates` });
    }
    const rest = line.replace(/\{\{[^{}]*\}\}/g, '');
    const stray = /\{\{|\}\}/.exec(rest);
    if (stray)
      problems.push({
        field,
        value: rest.slice(Math.max(0, stray.index - 20), stray.index + 22).trim(),
        rule: stray[0] === '{{' ? 'opens a placeholder it does not close with }}' : 'closes a placeholder it did not open with {{',
      });
  });
  return problems;
}

/** Fills `{{name}}` placeholders; the names were checked when the templates were loaded. */
export function fill(template: string, values: Record<string, string | number | null>): string {
  return template.replace(PLACEHOLDER_RE, (_, name: string) => {
    const v = values[name];
    return v === null || v === undefined ? '' : String(v);
  });
}
