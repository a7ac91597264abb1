/**
 * What a run would deliver: the sendable candidates minus what the ledger holds as sent or skipped and
 * what a run that still runs holds (claimed or in_doubt). Failed notices are due again while sendable,
 * and so are the claimed ones of a run that is gone: it never started to send them, so they are
 * released to this run. In-doubt ones of a gone run may have reached the mail server: they are
 * reported, whatever their date, until someone settles them, and are due only when the run retries them.
 */
import type { Kysely } from '#kysely';
import type { ClaimHolder } from '../db/liveness.js';
import { arrayBatches, rowBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import type { NoticeStatus } from '../db/schema/notices.js';
import { addMonthsThenDays, boundDate } from '../lib/dates.js';
import { toLedgerRecord, type NoticeLedgerRecord } from '../notices/service.js';
import { collectCandidates, hitRecipient, scanHits, type Candidate, type Holder, type NoRecipient } from './candidates.js';
import type { DormantSeats } from './dormant-seats.js';
import { loadRecipients } from './recipients.js';
import { LAST_STAGE_DAYS, noticeKey } from './schedule.js';

/** A sendable notice; `prior` is its ledger status before this run (null, failed, claimed, in_doubt). */
export type DueNotice = Candidate;

/** A notice left in doubt by an earlier run, as the ledger holds it. */
export interface InDoubtNotice extends NoticeLedgerRecord {
  /** still sendable today, so --retry-in-doubt would send it again */
  sendable: boolean;
}

export interface DuePlan {
  due: DueNotice[];
  /** left in doubt by an earlier run that is gone, of any date: reported until settled (or retried) */
  inDoubt: InDoubtNotice[];
  /** claimed by a run that is still running (an overlapping cron run): neither sent nor an error */
  inProgress: DueNotice[];
  noRecipient: NoRecipient[];
}

export interface DueOptions {
  retryInDoubt?: boolean;
  /** whether the run that claimed a notice still runs (src/db/liveness.ts); default: assume not */
  isLive?: (holder: ClaimHolder) => Promise<boolean>;
  /** the dormant seats, scanned beside the run (dormant-seats.ts); default: scanned in turn */
  seats?: () => Promise<DormantSeats>;
}

export async function computeDue(db: Kysely<DB>, asOf: string, options: DueOptions = {}): Promise<DuePlan> {
  const { statuses, holders } = await loadLedger(db, asOf);
  const { candidates, noRecipient } = await collectCandidates(db, asOf, { ledger: statuses, holders, seats: options.seats });
  const plan: DuePlan = { due: [], inDoubt: [], inProgress: [], noRecipient };
  const alive = options.isLive ?? (() => Promise.resolve(false));
  const retried = new Set<number>();
  const sendable = new Set<number>();
  for (const c of candidates) {
    const held = c.prior === 'claimed' || c.prior === 'in_doubt';
    if (held && c.holder && (await alive(c.holder))) plan.inProgress.push(c);
    else if (c.prior !== 'in_doubt') plan.due.push(c);
    else if (!options.retryInDoubt) sendable.add(c.holder!.id);
    else {
      plan.due.push(c);
      retried.add(c.holder!.id);
    }
  }
  for (const r of await loadInDoubt(db)) {
    if (retried.has(r.id) || (await alive(r))) continue;
    plan.inDoubt.push({ ...toLedgerRecord(r), sendable: sendable.has(r.id) });
  }
  return {
    due: sortNotices(plan.due),
    inDoubt: sortNotices(plan.inDoubt),
    inProgress: sortNotices(plan.inProgress),
    noRecipient: sortNotices(plan.noRecipient),
  };
}

/**
 * How many notices `computeDue(db, asOf).due` lists per recipient email — a run that retries nothing
 * and sees no other run alive — counted from the same schedule scan, ledger and recipient rules
 * without building the notices (no contacts, names or texts): `report managers` needs only the counts.
 */
export async function countDue(db: Kysely<DB>, asOf: string): Promise<Map<string, { login: string; count: number }>> {
  const { statuses, holders } = await loadLedger(db, asOf);
  const { accounts, hits } = await scanHits(db, asOf, { ledger: statuses, holders, counting: true });
  // whose subscription: only its account and manager, of every subscription at once (dormant seats'
  // subscriptions are most of the running ones), by id in two flat arrays (no object per subscription)
  const accountOf: number[] = [];
  const managerOf: (number | null)[] = [];
  const owners = db.selectFrom('subscriptions').select(['id', 'account_id', 'manager_id']);
  for await (const rows of arrayBatches<readonly [number, number, number | null]>(db, owners)) {
    for (const [id, account, manager] of rows) {
      accountOf[id] = account;
      managerOf[id] = manager;
    }
  }
  const recipients = await loadRecipients(db, asOf);
  const out = new Map<string, { login: string; count: number }>();
  for (const h of hits) {
    // in doubt: reported, due only when retried (computeDue)
    if (h.prior === 'in_doubt') continue;
    const account = accountOf[h.subscription_id];
    const row = account === undefined ? undefined : { account_id: account, manager_id: managerOf[h.subscription_id] ?? null };
    const r = hitRecipient(h, row, row ? accounts.get(row.account_id) : undefined, recipients);
    if (r === undefined || typeof r === 'string') continue;
    const c = out.get(r.email);
    if (c) c.count++;
    else out.set(r.email, { login: r.login, count: 1 });
  }
  return out;
}

/**
 * Ledger statuses of every notice that can still be sendable on asOf (due dates after the longest
 * possible window), keyed like the unique index, and the holders of those that can be claimed again.
 */
async function loadLedger(db: Kysely<DB>, asOf: string) {
  const since = boundDate(() => addMonthsThenDays(asOf, -7, -LAST_STAGE_DAYS));
  const statuses = new Map<string, NoticeStatus>();
  const holders = new Map<string, Holder>();
  const rows = db
    .selectFrom('notices')
    .select(['id', 'kind', 'subject_id', 'stage', 'cycle', 'status', 'run_id', 'claimed_by'])
    .where('due_date', '>=', since);
  for await (const batch of rowBatches(db, rows)) {
    for (const r of batch) {
      const key = noticeKey(r.kind, r.subject_id, r.stage, r.cycle);
      statuses.set(key, r.status as NoticeStatus);
      if (r.status !== 'sent' && r.status !== 'skipped') holders.set(key, { id: r.id, run_id: r.run_id, claimed_by: r.claimed_by });
    }
  }
  return { statuses, holders };
}

/** Every in-doubt notice, whatever its date: none may be forgotten until it is settled. */
function loadInDoubt(db: Kysely<DB>) {
  return db.selectFrom('notices').selectAll().where('status', '=', 'in_doubt').orderBy('id').execute();
}

/** What sortNotices orders by: a due notice (recipient, sub) or a record (recipient_email, subscription_external_id). */
export interface SortKey {
  recipient_email?: string | null;
  recipient?: { email: string };
  kind: string;
  stage: string;
  subscription_external_id?: string | null;
  sub?: { external_id: string };
  contact_email: string | null;
}

/**
 * The contract order: recipient_email, kind, stage, subscription_external_id, contact_email, each by
 * plain code-unit comparison (no locale collation), null contact_email first. A stable sort: equal
 * keys keep their order. The first three fields take few values in a run (its recipients, three kinds
 * and their stages): each combination of them is ranked once and every item gets its rank, a number, so
 * that of 160,000 notices only those of one recipient, kind and stage compare their strings.
 */
export function sortNotices<T extends SortKey>(items: T[]): T[] {
  const heads = new Map<string, Map<string, Map<string, number>>>();
  const named: { recipient: string; kind: string; stage: string }[] = [];
  const head = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const n = items[i]!;
    const recipient = recipientOf(n);
    let kinds = heads.get(recipient);
    if (!kinds) heads.set(recipient, (kinds = new Map<string, Map<string, number>>()));
    let stages = kinds.get(n.kind);
    if (!stages) kinds.set(n.kind, (stages = new Map<string, number>()));
    let at = stages.get(n.stage);
    if (at === undefined) stages.set(n.stage, (at = named.push({ recipient, kind: n.kind, stage: n.stage }) - 1));
    head[i] = at;
  }
  const rank = new Int32Array(named.length);
  Array.from(named.keys())
    .sort(
      (a, b) =>
        byText(named[a]!.recipient, named[b]!.recipient) ||
        byText(named[a]!.kind, named[b]!.kind) ||
        byText(named[a]!.stage, named[b]!.stage),
    )
    .forEach((at, r) => (rank[at] = r));
  // the positions placed by rank (a counting sort, stable), then each rank's sorted by the other two fields
  const start = new Int32Array(named.length + 1);
  for (let i = 0; i < head.length; i++) start[(head[i] = rank[head[i]!]!) + 1]!++;
  for (let r = 0; r < named.length; r++) start[r + 1]! += start[r]!;
  const order = new Array<number>(items.length);
  const next = start.slice(0, named.length);
  for (let i = 0; i < head.length; i++) order[next[head[i]!]!++] = i;
  const subscription = items.map((n) => n.sub?.external_id ?? n.subscription_external_id ?? '');
  const contact = items.map((n) => n.contact_email ?? '');
  const byTail = (a: number, b: number) => byText(subscription[a]!, subscription[b]!) || byText(contact[a]!, contact[b]!);
  for (let r = 0; r < named.length; r++) {
    if (start[r + 1]! - start[r]! < 2) continue;
    const part = order.slice(start[r], start[r + 1]).sort(byTail);
    for (let k = 0; k < part.length; k++) order[start[r]! + k] = part[k]!;
  }
  return order.map((i) => items[i]!);
}

/** The contract order of two notices (sortNotices): negative when `a` comes first, 0 for equal keys. */
export function compareNotices(a: SortKey, b: SortKey): number {
  return byText(recipientOf(a), recipientOf(b)) || byText(a.kind, b.kind) || byText(a.stage, b.stage) || compareTails(a, b);
}

function recipientOf(n: SortKey): string {
  return n.recipient?.email ?? n.recipient_email ?? '';
}

/** The last two fields of the order: subscription_external_id, then contact_email (null first). */
function compareTails(a: SortKey, b: SortKey): number {
  return (
    byText(a.sub?.external_id ?? a.subscription_external_id ?? '', b.sub?.external_id ?? b.subscription_external_id ?? '') ||
    byText(a.contact_email ?? '', b.contact_email ?? '')
  );
}

/** Plain code-unit order. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
