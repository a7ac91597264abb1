/**
 * What a run finds due, and the preview streamed: the managers' notices come sorted from computeDue, the
 * few customer notices are sorted beside them, and the two are merged in the contract order (due.ts
 * sortNotices) as the records are asked for, so that `remind --json` (and `--mark-sent`) on 160,000
 * notices never holds their records or their text at once — only the compact candidates (which share
 * their subscription's and recipient's details).
 */
import type { Kysely } from '#kysely';
import type { DbHandle } from '../db/connection.js';
import type { Liveness } from '../db/liveness.js';
import type { DB } from '../db/schema/index.js';
import type { Op } from '../op.js';
import { collectCustomerNotices, type CustomerNotice } from './customer.js';
import { compareNotices, computeDue, sortNotices, type DuePlan, type DueNotice } from './due.js';
import { startDormantSeats } from './dormant-seats.js';
import { collectManagerChanged, type ManagerChangedNotice } from './manager-changed.js';
import { toCustomerRecord, toManagerChangedRecord, toNoticeRecord, type NoticeRecord } from './notice-record.js';
import type { RunMode, RunResult } from './run.js';
import { loadTemplates, type Locale } from './templates.js';

export interface Collected {
  plan: DuePlan;
  customer: CustomerNotice[];
  changed: ManagerChangedNotice[];
  /** the run's result, its notices still empty */
  result: RunResult;
}

export interface CollectRunOptions {
  mode: RunMode;
  retryInDoubt?: boolean;
  liveness?: Liveness;
  /**
   * The handle `db` belongs to: the dormant-seat scan then starts beside the rest of the run on a large
   * database (dormant-seats.ts); without it everything runs in turn on `db`.
   */
  handle?: DbHandle;
  /** from how many seats the scan runs beside (default BESIDE_FROM_SEATS; tests give 0) */
  besideFromSeats?: number;
}

/** Every notice due in this run, those another run still holds, those left in doubt and without a recipient. */
export async function collectRun(db: Kysely<DB>, op: Op, options: CollectRunOptions): Promise<Collected> {
  const live = options.liveness;
  const isLive = live && ((h: Parameters<Liveness['isLive']>[0]) => live.isLive(h));
  const seats = options.handle && (await startDormantSeats(options.handle, op.asOf, options.besideFromSeats));
  let plan: DuePlan;
  try {
    plan = await computeDue(db, op.asOf, { retryInDoubt: options.retryInDoubt, isLive, seats: seats && (() => seats.result()) });
  } finally {
    await seats?.stop();
  }
  // the customer notices left in doubt whose stage lasts: their error line offers --retry-in-doubt, as the managers' do
  const sendableInDoubt = new Set<number>();
  const retry = { retryInDoubt: options.retryInDoubt, isLive, sendableInDoubt };
  // the customer notices a live run holds are left to it and counted with the managers' (in_progress)
  const held = { customer: [] as CustomerNotice[], changed: [] as ManagerChangedNotice[] };
  const customer = await collectCustomerNotices(db, op.asOf, { ...retry, held: held.customer });
  const changed = await collectManagerChanged(db, op.asOf, { ...retry, held: held.changed });
  // an in-doubt customer notice retried by this run is no longer reported as left in doubt
  const retried = new Set([...customer, ...changed].flatMap((n) => (n.prior === 'in_doubt' && n.holder ? [n.holder.id] : [])));
  plan.inDoubt = plan.inDoubt.filter((r) => !retried.has(r.id));
  for (const r of plan.inDoubt) if (sendableInDoubt.has(r.id)) r.sendable = true;
  const result: RunResult = {
    mode: options.mode,
    run_id: null,
    notices: [],
    in_doubt_earlier: plan.inDoubt,
    in_progress: [
      ...plan.inProgress.map((n) => toNoticeRecord(n, n.prior!)),
      ...held.customer.map((n) => toCustomerRecord(n, n.prior!)),
      ...held.changed.map((n) => toManagerChangedRecord(n, n.prior!)),
    ],
    no_recipient: plan.noRecipient,
    emails: 0,
    template_note: null,
  };
  return { plan, customer, changed, result };
}

/** A run's result and its notices' records, made as they are asked for (not held in `result.notices`). */
export interface StreamedRun {
  /** the run's result; `streamed` counts by status the records that `records` yields */
  result: RunResult;
  /** the notices in the contract order */
  records(): Iterable<NoticeRecord>;
}

export interface PreviewRunOptions extends Omit<CollectRunOptions, 'mode'> {
  /** templates are not used by a preview, but a folder given is checked as a run would */
  templatesDir?: string;
  localeFallback?: Locale;
}

/** `remind` without --send or --mark-sent: what is due, recording nothing. */
export async function previewRemind(db: Kysely<DB>, op: Op, options: PreviewRunOptions): Promise<StreamedRun> {
  if (options.templatesDir !== undefined) loadTemplates(options.templatesDir, options.localeFallback);
  const { plan, customer, changed, result } = await collectRun(db, op, { ...options, mode: 'preview' });
  const ordered = orderedRecords(plan.due, 'due', [
    ...customer.map((n) => toCustomerRecord(n, 'due')),
    ...changed.map((n) => toManagerChangedRecord(n, 'due')),
  ]);
  result.streamed = ordered.counts;
  return { result, records: ordered.records };
}

/** A notice's status in a run's output, and why (a failed delivery's reason), or null. */
export interface Outcome {
  status: string;
  reason: string | null;
}

/**
 * The records of `sorted` (managers' notices in sortNotices order, each with `status`, or the status and
 * reason the function gives) and of `others`,
 * in the order sortNotices gives [...records of sorted, ...others]: others sorted, then merged in, one of
 * `sorted` first on equal keys. `counts`: how many records of each status.
 */
export function orderedRecords<N extends DueNotice>(
  sorted: readonly N[],
  status: string | ((n: N) => Outcome),
  others: NoticeRecord[],
): { counts: Record<string, number>; records: () => Generator<NoticeRecord> } {
  const rest = sortNotices(others);
  const outcome = typeof status === 'string' ? () => ({ status, reason: null }) : status;
  const counts: Record<string, number> = {};
  const count = (s: string) => (counts[s] = (counts[s] ?? 0) + 1);
  if (typeof status === 'string') counts[status] = sorted.length;
  else for (const n of sorted) count(status(n).status);
  for (const r of rest) count(r.status);
  function* records(): Generator<NoticeRecord> {
    let j = 0;
    for (const n of sorted) {
      while (j < rest.length && compareNotices(rest[j]!, n) < 0) yield rest[j++]!;
      const o = outcome(n);
      yield toNoticeRecord(n, o.status, o.reason);
    }
    while (j < rest.length) yield rest[j++]!;
  }
  return { counts, records };
}
