/**
 * A customer notice as the message the customer receives: the values its template fills in, in the
 * account's locale (else the fallback), the manager in Cc; and the helpers the manager-changed messages share.
 */
import { diffDays } from '../lib/dates.js';
import { formatCents } from '../lib/fields.js';
import { trainingKey } from '../trainings/rules.js';
import type { CustomerNotice } from './customer.js';
import type { Digest } from './digest.js';
import { fill, isLocale, type Locale, type Templates } from './templates.js';
import { managerLine, type Words } from './wording.js';

/** The values the customer templates fill in, with the words of the message's locale. */
export function customerValues(n: CustomerNotice, asOf: string, words: Words | Locale = 'en'): Record<string, string | number | null> {
  const i = n.invoice;
  return {
    recipient_name: n.recipient.name,
    account_name: i.account_name,
    account_external_id: i.account_external_id,
    invoice_number: i.number,
    subscription_external_id: i.subscription_external_id,
    training_id: i.training_number === null ? null : trainingKey(Number(i.training_number)),
    period: i.period,
    amount: formatCents(i.amount_cents),
    currency: i.currency,
    issued_on: i.issued_on,
    due_on: i.due_on,
    paid_on: i.paid_on,
    days_overdue: i.due_on === null ? 0 : Math.max(0, diffDays(i.due_on, asOf)),
    manager_name: n.cc?.name ?? null,
    manager_email: n.cc?.email ?? null,
    // a tutor has no manager: the line is left out
    manager_line: n.cc ? `${managerLine(words)} ${n.cc.name} <${n.cc.email}>` : '',
    date: asOf,
  };
}

/** The template locale of an account's locale (its language part: bg-BG → bg), or null. */
export function templateLocale(locale: string | null): Locale | null {
  const language = locale?.toLowerCase().split(/[-_]/)[0];
  return isLocale(language) ? language : null;
}

/** A filled whole-message template: its first line `Subject: …`, the rest the body. */
export function splitMessage(filled: string): { subject: string; text: string } {
  const newline = filled.indexOf('\n');
  const subject = filled.slice('Subject: '.length, newline < 0 ? undefined : newline).trim();
  const text = newline < 0 ? '' : filled.slice(newline + 1).replace(/^\n+/, '');
  return { subject, text };
}

/** One customer notice as one message, in the account's locale (else the fallback); the manager in Cc. */
export function composeCustomerMessage(templates: Templates, n: CustomerNotice, asOf: string): Digest {
  const wanted = templateLocale(n.invoice.locale);
  const locale = templates.localeFor(n.kind, wanted);
  const { subject, text } = splitMessage(fill(templates.text(n.kind, wanted), customerValues(n, asOf, templates.words(locale))));
  return { to: n.recipient, cc: n.cc, subject, text, refs: [[n.kind, n.stage, n.invoice.number].join('/')] };
}
