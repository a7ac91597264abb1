/**
 * One `acctmgr remind` run: preview (records nothing), --mark-sent (records the due notices as
 * delivered) or --send (claims them in a short transaction, then emails one digest per recipient: its
 * notices become in_doubt just before the message goes out, then sent, failed or, without an answer,
 * stay in_doubt). The caller passes `tx`, which runs a function in a write transaction; every write
 * here goes through it.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DbHandle } from '../db/connection.js';
import type { Liveness } from '../db/liveness.js';
import type { DB } from '../db/schema/index.js';
import { nowTimestamp } from '../lib/dates.js';
import { checkOne } from '../lib/checks.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';
import type { NoRecipient } from './candidates.js';
import { composeDigest, type Digest } from './digest.js';
import { computeDue, sortNotices, type DueNotice, type InDoubtNotice } from './due.js';
import { claimNotices, settleNotices, startDelivery, type Claimed } from './ledger.js';
import { openMailer, type MailConfig, type Mailer } from './mailer.js';
import { fallbackNote, loadTemplates, type Locale, type Templates } from './templates.js';
import { claimCustomerNotices, collectCustomerNotices, startCustomerDelivery, type CustomerNotice } from './customer.js';
import { collectRun, orderedRecords, previewRemind, type Outcome, type StreamedRun } from './preview.js';
import { composeCustomerMessage } from './customer-message.js';
import { toCustomerRecord, toManagerChangedRecord, toNoticeRecord, type NoticeRecord } from './notice-record.js';
import { claimManagerChanged, collectManagerChanged, composeManagerChanged } from './manager-changed.js';

export type RunMode = 'preview' | 'send' | 'mark-sent';

export interface RunOptions {
  mode: RunMode;
  retryInDoubt?: boolean;
  templatesDir?: string;
  /** the locale of accounts whose own has no templates (config `locale_fallback`; default en) */
  localeFallback?: Locale;
  /** required for send */
  mail?: MailConfig;
  tx: <T>(fn: (db: Kysely<DB>) => Promise<T>) => Promise<T>;
  /**
   * Which claims belong to a run that still runs, and what makes this run's own claims look live to
   * others (src/db/liveness.ts): held from before the first claim; the caller releases it. Default:
   * every earlier claim is taken as abandoned, and this run is visible to nobody (tests).
   */
  liveness?: Liveness;
  /** the handle `db` belongs to: a large run scans the dormant seats beside the rest (preview.ts collectRun) */
  handle?: DbHandle;
}

export interface RunResult {
  mode: RunMode;
  run_id: string | null;
  notices: NoticeRecord[];
  /** left in doubt by an earlier run and not retried, of any date (until settled) */
  in_doubt_earlier: InDoubtNotice[];
  /** claimed by another run that is still delivering them */
  in_progress: NoticeRecord[];
  no_recipient: NoRecipient[];
  emails: number;
  /** which account locales had no templates for which kinds, and got the fallback's (one stderr line), or null */
  template_note: string | null;
  /**
   * a streamed run (runRemindStreamed): how many notices of each status its records have, which
   * `notices` does not hold
   */
  streamed?: Record<string, number>;
  /**
   * a --send run: the records of its notices that failed or are in doubt (also among its records), in their
   * order, with their ledger ids (the error lines name them: `notices settle ID` takes them)
   */
  undelivered?: Undelivered[];
  /** a --send run: notices delivered whose copy (Cc) the server refused — sent, not sent again; each one's Cc and the server's reason */
  cc_refused?: Undelivered[];
}

/** A notice of a --send run the error lines name: its record and ledger id. */
export type Undelivered = NoticeRecord & { notice_id: number };

export async function runRemind(db: Kysely<DB>, op: Op, options: RunOptions): Promise<RunResult> {
  const run = await runRemindStreamed(db, op, options);
  const result = run.result;
  if (result.streamed) {
    result.notices = [...run.records()];
    delete result.streamed;
  }
  return result;
}

/**
 * runRemind, the notices as records made when asked for: a preview's and --mark-sent's, and --send's
 * (each manager's notice keeps its digest's outcome, the few customer notices their records).
 */
export async function runRemindStreamed(db: Kysely<DB>, op: Op, options: RunOptions): Promise<StreamedRun> {
  if (options.mode === 'preview') return previewRemind(db, op, options);
  const templates =
    options.mode === 'send' || options.templatesDir !== undefined ? loadTemplates(options.templatesDir, options.localeFallback) : undefined;
  if (options.mode === 'send' && !options.mail) throw new Error('runRemind: send needs a mail configuration');
  const live = options.liveness;
  const { plan, customer, changed, result } = await collectRun(db, op, options);
  const runId = `${op.now}-${randomBytes(4).toString('hex')}`;
  result.run_id = runId;
  const status = options.mode === 'send' ? 'claimed' : 'sent';
  if (options.mode === 'send') await live?.hold(runId);
  const claimed = await options.tx((trx) => claimNotices(trx, op, plan.due, { status, runId, claimant: live?.claimant }));
  const claimedCustomer = await options.tx((trx) => claimCustomerNotices(trx, op, customer, status, runId, live?.claimant ?? null));
  const claimedChanged = await options.tx((trx) => claimManagerChanged(trx, op, changed, status, runId, live?.claimant ?? null));
  let records: () => Iterable<NoticeRecord>;
  if (options.mode === 'mark-sent') {
    const ordered = orderedRecords(sortNotices(claimed), 'sent', [
      ...claimedCustomer.map((n) => toCustomerRecord(n, 'sent')),
      ...claimedChanged.map((n) => toManagerChangedRecord(n, 'sent')),
    ]);
    result.streamed = ordered.counts;
    records = ordered.records;
  } else {
    // the managers' notices delivered keep their digest's outcome; their records are made when written
    // (the groups come in sortNotices order, and so do the notices they deliver)
    const delivered: Delivered[] = [];
    const others: NoticeRecord[] = [];
    // the ledger ids of the customer notices' records, and the notices whose Cc was refused
    const ids = new Map<NoticeRecord, number>();
    const cc_refused: Undelivered[] = [];
    // every message of the run over one SMTP connection, kept open between them (mailer.ts openMailer)
    const mailer = await openMailer(options.mail!);
    try {
      for (const group of byRecipient(claimed)) {
        const settled = await deliverGroup(op, runId, options, mailer, templates!, group);
        if (settled.outcome.status === 'sent') result.emails++;
        // a loop, not push(...notices): one recipient can have more notices than a call has room for arguments
        for (const n of settled.notices) delivered.push(Object.assign(n, { outcome: settled.outcome }));
      }
      const one = (d: Awaited<ReturnType<typeof deliverOne>>) => {
        if (d === undefined) return;
        if (d.record.status === 'sent') result.emails++;
        if (d.refused !== undefined) cc_refused.push({ ...d.record, notice_id: d.id });
        others.push(d.record);
        ids.set(d.record, d.id);
      };
      for (const n of claimedCustomer.filter((x) => !x.skip)) one(await deliverCustomer(op, runId, options, mailer, templates!, n));
      for (const n of claimedChanged.filter((x) => !x.skip))
        one(await deliverOne(runId, options, mailer, composeManagerChanged(templates!, n, op.asOf), n, toManagerChangedRecord));
    } finally {
      mailer.close();
    }
    // a loop, not push(...list): a spread of 150,000 arguments overflows the stack
    for (const n of claimedCustomer) if (n.skip) others.push(toCustomerRecord(n, 'skipped'));
    for (const n of claimedChanged) if (n.skip) others.push(toManagerChangedRecord(n, 'skipped'));
    const ordered = orderedRecords(delivered, (n) => n.outcome, others);
    result.streamed = ordered.counts;
    records = ordered.records;
    // the error lines name every notice that did not go out, in the records' order, with its ledger id
    const bad = (status: string) => status === 'failed' || status === 'in_doubt';
    result.undelivered = sortNotices([
      ...delivered
        .filter((n) => bad(n.outcome.status))
        .map((n) => ({ ...toNoticeRecord(n, n.outcome.status, n.outcome.reason), notice_id: n.ledger_id })),
      ...others.filter((r) => bad(r.status)).map((r) => ({ ...r, notice_id: ids.get(r)! })),
    ]);
    result.cc_refused = cc_refused;
  }
  result.template_note = templates ? (fallbackNote(templates) ?? null) : null;
  // one audit row per run that recorded anything (the ledger holds the per-notice detail)
  if (claimed.length + claimedCustomer.length + claimedChanged.length > 0)
    await options.tx((trx) => audit(trx, op, { action: options.mode, entity: 'notices', key: runId, after: summarize(result) }));
  return { result, records };
}

function byRecipient<T extends DueNotice>(claimed: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const n of sortNotices(claimed)) {
    const g = groups.get(n.recipient.email);
    if (g) g.push(n);
    else groups.set(n.recipient.email, [n]);
  }
  return [...groups.values()];
}

/** A manager's notice delivered in a digest, and the digest's outcome. */
type Delivered = Claimed & { outcome: Outcome };

/** Sends one recipient's digest of the notices still sendable and settles every notice in it: those notices and their outcome. */
async function deliverGroup(op: Op, runId: string, options: RunOptions, mailer: Mailer, templates: Templates, group: Claimed[]) {
  const live = await options.tx((trx) => startDelivery(trx, op.asOf, nowTimestamp(), runId, group));
  if (live.length === 0) return { notices: [], outcome: { status: 'none', reason: null } };
  const digest = composeDigest(templates, live[0]!.recipient, live, op.asOf);
  const outcome = await mailer.deliver(digest);
  const reason = outcome.status === 'sent' ? null : outcome.reason;
  const ids = live.map((n) => n.ledger_id);
  await options.tx((trx) => settleNotices(trx, nowTimestamp(), runId, ids, outcome.status, reason));
  return { notices: live, outcome: { status: outcome.status, reason } };
}

/** One customer notice, one message: in_doubt just before it goes out, then settled. */
function deliverCustomer(op: Op, runId: string, options: RunOptions, mailer: Mailer, templates: Templates, n: CustomerNotice) {
  return deliverOne(runId, options, mailer, composeCustomerMessage(templates, n, op.asOf), n, toCustomerRecord);
}

async function deliverOne<N extends { ledger_id?: number }>(
  runId: string,
  options: RunOptions,
  mailer: Mailer,
  message: Digest,
  n: N,
  record: (n: N, status: string, reason: string | null) => NoticeRecord,
): Promise<{ record: NoticeRecord; id: number; refused?: string } | undefined> {
  const mine = await options.tx((trx) => startCustomerDelivery(trx, nowTimestamp(), runId, n));
  if (!mine) return undefined;
  const outcome = await mailer.deliver(message);
  // a copy (Cc) refused is written beside the sent notice: it went to its addressee and is never sent again
  const reason = outcome.status === 'sent' ? (outcome.refused ?? null) : outcome.reason;
  const id = n.ledger_id!;
  await options.tx((trx) => settleNotices(trx, nowTimestamp(), runId, [id], outcome.status, reason));
  return {
    record: record(n, outcome.status, reason),
    id,
    ...(outcome.status === 'sent' && outcome.refused ? { refused: outcome.refused } : {}),
  };
}

export interface PreviewOptions {
  templatesDir?: string;
  localeFallback?: Locale;
  /** only the messages to (or copied to) this address */
  recipient?: string;
}

/**
 * `remind --preview-email`: the messages `--send` would deliver on the as-of date — one digest per
 * manager, one message per customer notice — composed from the same notices and templates, sending and
 * recording nothing. Notices recorded as skipped (customer emails off) make no message.
 */
export async function previewEmails(
  db: Kysely<DB>,
  op: Op,
  options: PreviewOptions = {},
): Promise<{ messages: Digest[]; template_note: string | null }> {
  // an address, checked before anything is read: text that is none would match nothing, in silence (as `notices
  // list --recipient` refuses it too)
  const want =
    options.recipient === undefined ? undefined : foldKey(String(checkOne({ name: 'recipient', type: 'email' }, options.recipient.trim())));
  const templates = loadTemplates(options.templatesDir, options.localeFallback);
  const plan = await computeDue(db, op.asOf);
  const messages = byRecipient(plan.due).map((group) => composeDigest(templates, group[0]!.recipient, group, op.asOf));
  for (const n of await collectCustomerNotices(db, op.asOf)) if (!n.skip) messages.push(composeCustomerMessage(templates, n, op.asOf));
  for (const n of await collectManagerChanged(db, op.asOf)) if (!n.skip) messages.push(composeManagerChanged(templates, n, op.asOf));
  // an email is a key: compared by its fold, as everywhere (ИВАН@школа.bg is иван@школа.bg)
  const mine = (m: Digest) => want === undefined || foldKey(m.to.email) === want || (m.cc != null && foldKey(m.cc.email) === want);
  const sorted = messages.filter(mine).sort((a, b) => (a.to.email < b.to.email ? -1 : a.to.email > b.to.email ? 1 : 0));
  return { messages: sorted, template_note: fallbackNote(templates) ?? null };
}

export interface RunCounts {
  due: number;
  sent: number;
  failed: number;
  in_doubt: number;
  in_doubt_earlier: number;
  in_progress: number;
  no_recipient: number;
  emails: number;
}

export function summarize(r: RunResult): RunCounts {
  const count = (s: string) => r.notices.filter((n) => n.status === s).length + (r.streamed?.[s] ?? 0);
  return {
    due: count('due'),
    sent: count('sent'),
    failed: count('failed'),
    in_doubt: count('in_doubt'),
    in_doubt_earlier: r.in_doubt_earlier.length,
    in_progress: r.in_progress.length,
    no_recipient: r.no_recipient.length,
    emails: r.emails,
  };
}
