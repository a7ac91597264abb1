/**
 * Writes to the notices ledger. Exactly-once rests on the unique (kind, subject_id, stage, cycle)
 * index and on compare-and-set updates: a run claims a notice by inserting its row, or by taking over a
 * row that is failed, claimed by a run that is gone, or in doubt and retried, only if that row still has
 * the status and run id this run read. A notice another run took first yields no row here, so it is
 * not delivered twice. The caller owns the transactions.
 *
 * Life cycle of a sent notice: claimed (before any SMTP traffic) -> in_doubt (just before its digest's
 * data goes to the server) -> sent, failed, or still in_doubt when no answer came.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { insertRows } from '../db/insert-rows.js';
import type { NewNoticeRow, NoticeStatus } from '../db/schema/notices.js';
import type { Op } from '../op.js';
import { candidateKey, collectCandidates, earlierStages, loadSharedMaps } from './candidates.js';
import type { DueNotice } from './due.js';

export interface Claimed extends DueNotice {
  ledger_id: number;
}

/** rows per INSERT where they go through kysely (PostgreSQL) */
const BATCH = 200;
/** the ledger's unique key */
const NOTICE_KEY = ['kind', 'subject_id', 'stage', 'cycle'];

export interface ClaimOptions {
  /** claimed before an SMTP delivery; sent for --mark-sent */
  status: 'claimed' | 'sent';
  runId: string;
  /** host:pid of this process (src/db/liveness.ts) */
  claimant?: string;
}

/**
 * Re-checks the notices against the current data, claims those still sendable and records the
 * earlier unsent stages of their cycles as skipped. Returns the notices this run now owns.
 */
export async function claimNotices(db: Kysely<DB>, op: Op, notices: DueNotice[], options: ClaimOptions): Promise<Claimed[]> {
  const still = await stillSendable(db, op.asOf, notices);
  const current = notices.filter((n) => still.has(candidateKey(n)));
  const claimed: Claimed[] = [];
  const fresh = current.filter((n) => n.prior === null);
  await insertRows(
    db,
    'notices',
    fresh,
    (n) => ({ ...row(n, op, options.status, options.runId, n.stage, n.due_date), claimed_by: options.claimant ?? null }),
    {
      conflict: NOTICE_KEY,
      returning: ['id'],
      // the notice itself gains its ledger id (no copy of 160,000 of them)
      inserted: (n, r) => claimed.push(Object.assign(n, { ledger_id: r.id as number })),
      batch: BATCH,
    },
  );
  for (const n of current.filter((x) => x.prior !== null)) {
    const r = await db
      .updateTable('notices')
      .set((eb) => ({
        status: options.status,
        run_id: options.runId,
        claimed_by: options.claimant ?? null,
        attempts: eb('attempts', '+', options.status === 'sent' ? 1 : 0),
        updated_at: op.now,
        sent_at: options.status === 'sent' ? op.now : null,
        // recorded sent (--mark-sent): an earlier failure's reason no longer holds, as when --send settles it
        ...(options.status === 'sent' ? { reason: null } : {}),
        recipient_login: n.recipient.login,
        recipient_email: n.recipient.email,
      }))
      .where('id', '=', n.holder!.id)
      .where('status', '=', n.prior!)
      .where('run_id', '=', n.holder!.run_id)
      .returning(['id'])
      .executeTakeFirst();
    if (r) claimed.push(Object.assign(n, { ledger_id: r.id }));
  }
  await recordSkipped(db, op, current, options.runId);
  return claimed;
}

/** How many notices are re-checked at a time: a run of 160,000 never builds their candidates all at once. */
const RECHECK_BATCH = 5000;

/** Keys of the notices that the schedule and the eligibility rules still make sendable right now. */
async function stillSendable(db: Kysely<DB>, asOf: string, notices: DueNotice[]): Promise<Set<string>> {
  const still = new Set<string>();
  const shared = notices.length > RECHECK_BATCH ? await loadSharedMaps(db, asOf) : undefined;
  for (let i = 0; i < notices.length; i += RECHECK_BATCH) {
    const part = notices.slice(i, i + RECHECK_BATCH);
    const wanted = new Set(part.map(candidateKey));
    const subscriptionIds = [...new Set(part.map((n) => n.sub.id))];
    const seatIds = part.filter((n) => n.kind === 'dormancy').map((n) => n.subject_id);
    const { candidates } = await collectCandidates(db, asOf, { only: { subscriptionIds, seatIds }, shared });
    for (const c of candidates) {
      const key = candidateKey(c);
      if (wanted.has(key)) still.add(key);
    }
  }
  return still;
}

/** The earlier stages of the notices' cycles as skipped rows, inserted as they are made. */
async function recordSkipped(db: Kysely<DB>, op: Op, notices: DueNotice[], runId: string): Promise<void> {
  function* skipped() {
    for (const n of notices) for (const e of earlierStages(n)) yield row(n, op, 'skipped', runId, e.stage, e.due_date);
  }
  await insertRows(db, 'notices', skipped(), (r) => r, { conflict: NOTICE_KEY, batch: BATCH });
}

function row(n: DueNotice, op: Op, status: NoticeStatus, runId: string, stage: string, due: string): NewNoticeRow {
  return {
    kind: n.kind,
    subject_id: n.subject_id,
    stage,
    cycle: n.cycle,
    due_date: due,
    status,
    reason: null,
    recipient_login: n.recipient.login,
    recipient_email: n.recipient.email,
    account_external_id: n.sub.account_external_id,
    subscription_external_id: n.sub.external_id,
    contact_email: n.contact_email,
    run_id: runId,
    // an attempt is a delivery started (in_doubt) or recorded (sent); a claim is not one yet
    attempts: status === 'sent' ? 1 : 0,
    created_at: op.now,
    updated_at: op.now,
    sent_at: status === 'sent' ? op.now : null,
  };
}

/**
 * Just before a digest goes out: re-checks its notices against the current data (a renewal or a removed
 * seat since the claim gives the claim back), and marks the others in_doubt, since from now on their
 * data may reach the server. Returns those, the notices the digest may carry.
 */
export async function startDelivery(db: Kysely<DB>, asOf: string, now: string, runId: string, group: Claimed[]): Promise<Claimed[]> {
  const still = await stillSendable(db, asOf, group);
  await releaseClaims(
    db,
    now,
    runId,
    group.filter((n) => !still.has(candidateKey(n))),
  );
  const live = group.filter((n) => still.has(candidateKey(n)));
  const marked = new Set<number>();
  for (let i = 0; i < live.length; i += BATCH) {
    const rows = await db
      .updateTable('notices')
      .set((eb) => ({ status: 'in_doubt', attempts: eb('attempts', '+', 1), updated_at: now }))
      .where(
        'id',
        'in',
        live.slice(i, i + BATCH).map((n) => n.ledger_id),
      )
      .where('status', '=', 'claimed')
      .where('run_id', '=', runId)
      .returning('id')
      .execute();
    for (const r of rows) marked.add(r.id);
  }
  return live.filter((n) => marked.has(n.ledger_id));
}

/** The outcome of a delivery: sent (the server accepted it), failed (it did not), in_doubt (unknown). */
export async function settleNotices(
  db: Kysely<DB>,
  now: string,
  runId: string,
  ids: number[],
  status: 'sent' | 'failed' | 'in_doubt',
  reason: string | null,
): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await db
      .updateTable('notices')
      .set({ status, reason, updated_at: now, sent_at: status === 'sent' ? now : null })
      .where('id', 'in', ids.slice(i, i + BATCH))
      .where('status', '=', 'in_doubt')
      .where('run_id', '=', runId)
      .execute();
  }
}

/**
 * Gives back claims that became ineligible between the claim and the delivery (a renewal recorded
 * meanwhile, a seat removed): a never-recorded notice loses its row, a taken-over one gets back its
 * status and holder.
 */
async function releaseClaims(db: Kysely<DB>, now: string, runId: string, notices: Claimed[]): Promise<void> {
  for (const n of notices) {
    if (n.prior === null) {
      await db.deleteFrom('notices').where('id', '=', n.ledger_id).where('status', '=', 'claimed').where('run_id', '=', runId).execute();
    } else {
      await db
        .updateTable('notices')
        .set({ status: n.prior, run_id: n.holder!.run_id, claimed_by: n.holder!.claimed_by, updated_at: now })
        .where('id', '=', n.ledger_id)
        .where('status', '=', 'claimed')
        .where('run_id', '=', runId)
        .execute();
    }
  }
}
