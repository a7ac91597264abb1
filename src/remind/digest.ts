/**
 * One email per recipient per run: the digest groups the notices by kind, then by account, and writes
 * each account's section in that account's locale when templates exist for it, else in the fallback
 * locale. The frame (subject, greeting, kind headings) is in a locale only when every account in it is.
 */
import type { SubInfo } from './candidates.js';
import type { DueNotice } from './due.js';
import type { Recipient } from './recipients.js';
import { NOTICE_KINDS } from '../db/schema/notices.js';
import { fill, type Locale, type Templates } from './templates.js';
import { digestSubject, kindHeading, stageLabel, studentsCounted, teacherWord, withName } from './wording.js';

export interface Digest {
  to: Recipient;
  /** a copy (the account manager of a customer notice) */
  cc?: Recipient | null;
  subject: string;
  text: string;
  /** one reference per notice, for the X-Acctmgr-Notices header */
  refs: string[];
}

function noticeRef(n: Pick<DueNotice, 'kind' | 'stage' | 'sub' | 'contact_email'>): string {
  return [n.kind, n.stage, n.sub.external_id, ...(n.contact_email ? [n.contact_email] : [])].join('/');
}

/**
 * One recipient's digest. Each account's part is in the account's locale when templates exist for it,
 * else in `fallback` (config `locale_fallback`, default en); the frame is the locale all parts share, else
 * the fallback.
 */
export function composeDigest(templates: Templates, to: Recipient, notices: readonly DueNotice[], asOf: string): Digest {
  const fallback = templates.fallback;
  const localeOf = (n: DueNotice): Locale => n.sub.locale ?? fallback;
  const first = notices[0] ? localeOf(notices[0]) : fallback;
  const frame: Locale = notices.every((n) => localeOf(n) === first) ? first : fallback;
  const parts: string[] = [];
  for (const kind of NOTICE_KINDS) {
    const ofKind = notices.filter((n) => n.kind === kind);
    if (ofKind.length === 0) continue;
    const heading = kindHeading(templates.words(templates.localeFor('digest', frame)), kind, ofKind.length);
    parts.push(`${heading}\n${'='.repeat(heading.length)}`);
    for (const group of byAccount(ofKind)) parts.push(accountSection(templates, to, group, localeOf(group[0]!)));
  }
  const words = templates.words(templates.localeFor('digest', frame));
  const subscriptions = [...new Set(notices.map((n) => n.sub.external_id))];
  const filled = fill(templates.text('digest', frame), {
    subject: digestSubject(
      words,
      asOf,
      notices.map((n) => n.kind),
      subscriptions,
    ),
    recipient_name: to.name,
    recipient_email: to.email,
    date: asOf,
    count: notices.length,
    sections: parts.join('\n\n'),
  });
  const newline = filled.indexOf('\n');
  const subject = filled.slice('Subject: '.length, newline < 0 ? undefined : newline).trim();
  const text = newline < 0 ? '' : filled.slice(newline + 1).replace(/^\n+/, '');
  return { to, subject, text, refs: notices.map(noticeRef) };
}

function byAccount(notices: readonly DueNotice[]): DueNotice[][] {
  const groups = new Map<number, DueNotice[]>();
  for (const n of notices) {
    const g = groups.get(n.sub.account_id);
    if (g) g.push(n);
    else groups.set(n.sub.account_id, [n]);
  }
  return [...groups.values()].sort(
    (a, b) => cmp(a[0]!.sub.account_name, b[0]!.sub.account_name) || cmp(a[0]!.sub.account_external_id, b[0]!.sub.account_external_id),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One account: a title line, then one entry per subscription and stage, in the account's locale. */
function accountSection(templates: Templates, to: Recipient, notices: DueNotice[], locale: Locale): string {
  const first = notices[0]!;
  const title = `${first.sub.account_name} (${first.sub.account_external_id})`;
  const entries = new Map<string, DueNotice[]>();
  for (const n of [...notices].sort(
    (a, b) => cmp(a.sub.external_id, b.sub.external_id) || cmp(a.contact_email ?? '', b.contact_email ?? ''),
  )) {
    const k = `${n.sub.id}|${n.stage}`;
    const e = entries.get(k);
    if (e) e.push(n);
    else entries.set(k, [n]);
  }
  const body = [...entries.values()].map((group) => entry(templates, locale, to, group).trimEnd());
  return `${title}\n${'-'.repeat(title.length)}\n${body.join('\n\n')}`;
}

function entry(templates: Templates, locale: Locale, to: Recipient, group: DueNotice[]): string {
  const n = group[0]!;
  // a contact (a tutor, who has no manager) is the customer: "your subscription …", never "talk to …"
  const kind = n.kind;
  const customer = to.login === '' && (kind === 'renewal' || kind === 'activation');
  const name = customer ? (`${kind}-customer` as const) : n.kind;
  const words = templates.words(templates.localeFor(name, locale));
  return fill(templates.text(name, locale), {
    ...subjectValues(n.sub),
    with_account_name: withName(words, n.sub.account_name),
    students_counted: studentsCounted(words, n.sub.students),
    stage: n.stage,
    stage_label: stageLabel(words, n.stage, group.length),
    teacher_word: teacherWord(words, group.length),
    due_date: n.due_date,
    recipient_name: to.name,
    teachers: group
      .map((t) => `  - ${t.contact_name ? `${t.contact_name} <${t.contact_email}>` : t.contact_email} (${t.cycle})`)
      .join('\n'),
    teacher_count: group.length,
    activation_code: n.sub.activation_code,
    paid_at: n.sub.paid_at,
  });
}

function subjectValues(sub: SubInfo): Record<string, string | number | null> {
  return {
    account_name: sub.account_name,
    account_external_id: sub.account_external_id,
    subscription_external_id: sub.external_id,
    product: sub.product,
    plan: sub.plan,
    students: sub.students,
    start_date: sub.start_date,
    end_date: sub.end_date,
  };
}
