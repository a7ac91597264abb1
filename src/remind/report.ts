/**
 * The lines a run reports on stderr (plain strings; the command prints them): every notice that did
 * not go out is an error line, never silently dropped, and the summary.
 */
import type { NoRecipient } from './candidates.js';
import type { RunResult } from './run.js';
import { summarize } from './run.js';

function what(n: {
  kind: string;
  stage: string;
  subscription_external_id: string | null;
  account_external_id: string;
  contact_email: string | null;
  invoice_number?: string | null;
}): string {
  if (n.invoice_number) return `${n.kind} ${n.stage} of invoice ${n.invoice_number} (account ${n.account_external_id})`;
  // a manager change is the account's (kind and stage are the same word)
  if (!n.subscription_external_id) return `${n.kind}${n.stage === n.kind ? '' : ` ${n.stage}`} of account ${n.account_external_id}`;
  const seat = n.contact_email ? `, teacher ${n.contact_email}` : '';
  return `${n.kind} ${n.stage} of subscription ${n.subscription_external_id} (account ${n.account_external_id}${seat})`;
}

export function errorLines(r: RunResult): string[] {
  const lines = r.no_recipient.map((n: NoRecipient) => `error: no recipient for ${what(n)}: ${n.reason}`);
  for (const n of r.in_doubt_earlier) {
    const retry = n.sendable ? ' (or rerun with --retry-in-doubt to send it again)' : '';
    lines.push(
      `error: in doubt since an earlier run, not sent again: ${what(n)} to ${n.recipient_email} (notice ${n.id}); ` +
        `check the mail server's log, then record what happened: acctmgr notices settle ${n.id} --as sent|unsent${retry}`,
    );
  }
  const done = r.undelivered ?? [];
  for (const n of done.filter((x) => x.status === 'failed')) {
    lines.push(`error: failed: ${what(n)} to ${n.recipient_email}: ${n.reason}`);
  }
  for (const n of done.filter((x) => x.status === 'in_doubt')) {
    lines.push(
      `error: in doubt: ${what(n)} to ${n.recipient_email} (notice ${n.notice_id}): ${n.reason}; reported by every run until ` +
        `settled: check the mail server's log, then acctmgr notices settle ${n.notice_id} --as sent|unsent`,
    );
  }
  for (const n of r.cc_refused ?? []) {
    lines.push(`error: sent without its copy: ${what(n)} to ${n.recipient_email} (notice ${n.notice_id}): ${n.reason}; not sent again`);
  }
  return lines;
}

/** Not errors: notices another run, still running, has claimed and is delivering. */
export function noteLines(r: RunResult): string[] {
  if (r.in_progress.length === 0) return [];
  return [`note: ${r.in_progress.length} notice(s) due are being delivered by another run that is still running; left to it`];
}

export function summaryLine(r: RunResult, asOf: string): string {
  const c = summarize(r);
  if (r.mode === 'preview') return `${c.due} notice(s) due on ${asOf} (preview: nothing sent or recorded)`;
  if (r.mode === 'mark-sent') return `recorded ${c.sent} notice(s) as sent on ${asOf}`;
  return `sent ${c.sent} notice(s) in ${c.emails} email(s) on ${asOf}; ${c.failed} failed, ${c.in_doubt} in doubt`;
}

/** How many notices did not go out, or went out without their copy (exit 1 when any). */
export function problemCount(r: RunResult): number {
  const c = summarize(r);
  return c.failed + c.in_doubt + c.in_doubt_earlier + c.no_recipient + (r.cc_refused?.length ?? 0);
}
