/**
 * Message templates: `{kind}.{locale}.txt` for one entry of a digest and `digest.{locale}.txt` for the
 * whole message (first line `Subject: …`), with `{{placeholder}}` names. Defaults live in the
 * repository's `templates/` directory; `--templates DIR` overrides any of them file by file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidDataError, invalid, type FieldProblem } from '../errors.js';

export const LOCALES = ['en', 'bg'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}
/** `renewal-customer`, `activation-customer`: the same entries written to the customer (a tutor), not to a manager. */
const TEMPLATE_NAMES = [
  'digest',
  'renewal',
  'dormancy',
  'activation',
  'renewal-customer',
  'activation-customer',
  'invoice-issued',
  'invoice-paid',
  'invoice-overdue',
] as const;
/** Whole messages (first line `Subject: …`): the managers' digest and the customers' invoice notices, one per message. */
const MESSAGES: readonly TemplateName[] = ['digest', 'invoice-issued', 'invoice-paid', 'invoice-overdue'];
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const COMMON = [
  'account_name',
  'account_external_id',
  'subscription_external_id',
  'product',
  'plan',
  'students',
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
  digest: ['recipient_name', 'recipient_email', 'date', 'count', 'sections'],
  renewal: COMMON,
  dormancy: [...COMMON, 'teachers', 'teacher_count'],
  activation: [...COMMON, 'activation_code', 'paid_at'],
  'renewal-customer': COMMON,
  'activation-customer': [...COMMON, 'activation_code', 'paid_at'],
  'invoice-issued': CUSTOMER,
  'invoice-paid': CUSTOMER,
  'invoice-overdue': CUSTOMER,
};

export type Templates = Record<`${TemplateName}.${Locale}`, string>;

const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z_]+)\s*\}\}/g;

/** The repository's templates/ directory, from src/remind (tests) or dist/src/remind (the build). */
function defaultTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../templates'), path.resolve(here, '../../../templates')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'renewal.en.txt'))) ?? candidates[0]!;
}

export function loadTemplates(overrideDir?: string): Templates {
  if (overrideDir !== undefined && !fs.statSync(overrideDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw invalid('templates', overrideDir, 'is not a directory');
  }
  const defaults = defaultTemplatesDir();
  const out: Partial<Templates> = {};
  const problems: FieldProblem[] = [];
  for (const name of TEMPLATE_NAMES) {
    for (const locale of LOCALES) {
      const file = `${name}.${locale}.txt`;
      const custom = overrideDir !== undefined ? path.join(overrideDir, file) : undefined;
      const chosen = custom !== undefined && fs.existsSync(custom) ? custom : path.join(defaults, file);
      const text = fs.readFileSync(chosen, 'utf8');
      for (const m of text.matchAll(PLACEHOLDER_RE)) {
        if (!PLACEHOLDERS[name].includes(m[1]!))
          problems.push({ field: chosen, value: m[0], rule: `is not a placeholder of ${name} templates` });
      }
      if (MESSAGES.includes(name) && !/^Subject: /.test(text))
        problems.push({ field: chosen, value: text.split('\n')[0], rule: 'the first line must be "Subject: …"' });
      out[`${name}.${locale}`] = text;
    }
  }
  if (problems.length > 0) throw new InvalidDataError(problems, `placeholders: see docs/remind.md, "Email: the digest and its templates"`);
  return out as Templates;
}

/** Fills `{{name}}` placeholders; the names were checked when the templates were loaded. */
export function fill(template: string, values: Record<string, string | number | null>): string {
  return template.replace(PLACEHOLDER_RE, (_, name: string) => {
    const v = values[name];
    return v === null || v === undefined ? '' : String(v);
  });
}

const STAGE_LABELS: Record<Locale, Record<string, string>> = {
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

export function stageLabel(locale: Locale, stage: string): string {
  return STAGE_LABELS[locale][stage] ?? stage;
}

export const KIND_HEADINGS: Record<Locale, Record<string, string>> = {
  en: { renewal: 'Renewals', dormancy: 'Teachers who stopped logging in', activation: 'Activation codes' },
  bg: { renewal: 'Подновявания', dormancy: 'Учители, които не влизат', activation: 'Кодове за активиране' },
};
