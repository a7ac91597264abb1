/**
 * Which notices the schedule and the eligibility rules make sendable on a date, set-based: one query
 * over the subscriptions whose end or payment date can have a sendable stage, one over the seats of
 * running subscriptions whose last login lies in the dormancy bounds (a whole run: beside the rest, which
 * meanwhile reads the running subscriptions those seats belong to), then the details still missing,
 * fetched by id. Recipients, accounts and the ledger come from maps loaded once. The same code re-checks
 * a handful of subjects by id at the moment of sending.
 */
import type { Kysely } from '#kysely';
import { arrayBatches } from '../db/rows.js';
import type { DB } from '../db/schema/index.js';
import type { NoticeKind, NoticeStatus } from '../db/schema/notices.js';
import { timestampDate, toDayNumber } from '../lib/dates.js';
import { loadRecipients, type Recipient, type Recipients } from './recipients.js';
import {
  addRunningSubscriptions,
  loadAccounts,
  loadCountedAccounts,
  loadNames,
  renewalDates,
  renewalRows,
  renewedIds,
  type RenewalDates,
  seatSubscriptionsById,
  subscriptionsById,
  subscriptionRow,
  type AccountInfo,
  type SubscriptionRow,
} from './scan.js';
import { dormantSeats, type DormantSeats } from './dormant-seats.js';
import { cycleStages, noticeKey, sendableStage, type SendableStage } from './schedule.js';
import type { Locale } from './templates.js';

export interface SubInfo {
  id: number;
  external_id: string;
  account_id: number;
  account_external_id: string;
  account_name: string;
  locale: Locale | null;
  product: string;
  plan: string;
  students: number;
  start_date: string;
  end_date: string;
  paid_at: string | null;
  activation_code: string | null;
  manager_id: number | null;
}

export interface Candidate {
  kind: NoticeKind;
  stage: string;
  due_date: string;
  /** the date the cycle counts from: end_date, last login/invitation date, or paid_at */
  cycle: string;
  /** subscription id (renewal, activation) or seat id (dormancy) */
  subject_id: number;
  sub: SubInfo;
  recipient: Recipient;
  contact_email: string | null;
  contact_name: string | null;
  /** the ledger status before this run: null (never recorded), failed, claimed or in_doubt */
  prior: NoticeStatus | null;
  /** the ledger row behind `prior`, which a claim must find unchanged */
  holder: Holder | null;
}

/** Who holds a ledger row that can be claimed again (failed, claimed or in_doubt). */
export interface Holder {
  id: number;
  run_id: string;
  claimed_by: string | null;
}

export interface NoRecipient {
  kind: NoticeKind;
  stage: string;
  due_date: string;
  account_external_id: string;
  subscription_external_id: string;
  contact_email: string | null;
  reason: string;
}

export interface CandidateSet {
  candidates: Candidate[];
  noRecipient: NoRecipient[];
}

export interface CollectOptions {
  /** only these subjects (the re-check at sending time) */
  only?: { subscriptionIds: number[]; seatIds: number[] };
  /** ledger statuses by key: sent and skipped notices are dropped early, others carry their status */
  ledger?: Map<string, NoticeStatus>;
  /** the holders of the rows that can be claimed again, by key */
  holders?: Map<string, Holder>;
  /** what a re-check in parts loads once for all of them (loadSharedMaps) */
  shared?: SharedMaps;
  /** the hits are only counted (countDue): the accounts are loaded without names */
  counting?: boolean;
  /** the dormant seats of the whole run, scanned beside it (dormant-seats.ts); never with `only` */
  seats?: () => Promise<DormantSeats>;
}

/** The maps every candidate of a run looks up, whichever its subject: renewed subscriptions, names, recipients. */
export interface SharedMaps {
  renewed: Set<number>;
  names: Awaited<ReturnType<typeof loadNames>>;
  recipients: Recipients;
}

export async function loadSharedMaps(db: Kysely<DB>, asOf: string): Promise<SharedMaps> {
  return { renewed: await renewedIds(db), names: await loadNames(db), recipients: await loadRecipients(db, asOf) };
}

export function candidateKey(c: Pick<Candidate, 'kind' | 'subject_id' | 'stage' | 'cycle'>): string {
  return noticeKey(c.kind, c.subject_id, c.stage, c.cycle);
}

/** Earlier stages of the candidate's cycle (recorded as skipped by a sending run when unsent). */
export function earlierStages(c: Pick<Candidate, 'kind' | 'stage' | 'cycle'>): { stage: string; due_date: string }[] {
  const stages = cycleStages(c.kind, c.cycle);
  return stages.slice(
    0,
    stages.findIndex((s) => s.stage === c.stage),
  );
}

/** A sendable stage of one subject, before its details and recipient are looked up. */
export interface Hit {
  kind: NoticeKind;
  stage: string;
  due_date: string;
  cycle: string;
  subject_id: number;
  subscription_id: number;
  /** a dormant seat's contact, read with the seat (null for the other kinds, or a contact's row gone) */
  contact_email: string | null;
  contact_name: string | null;
  prior: NoticeStatus | null;
  holder: Holder | null;
}

export async function collectCandidates(db: Kysely<DB>, asOf: string, options: CollectOptions = {}): Promise<CandidateSet> {
  // a run's seats scanned beside it: the maps are read while they are (not after, when the run waits for nothing else)
  const shared = options.shared ?? (options.seats ? await loadSharedMaps(db, asOf) : undefined);
  const { accounts, subs, hits } = await scanHits(db, asOf, { ...options, shared });
  return buildCandidates(db, asOf, accounts, subs, hits, shared, options.only !== undefined);
}

export interface HitScan {
  accounts: Map<number, AccountInfo>;
  /**
   * the subscriptions of the renewal and activation hits, and in a run whose seats are scanned beside it
   * every running one (addRunningSubscriptions); those of dormant seats still missing are fetched later
   */
  subs: Map<number, SubscriptionRow>;
  hits: Hit[];
}

/** The schedule's part: which stages are sendable on asOf and not already sent or skipped. */
export async function scanHits(db: Kysely<DB>, asOf: string, options: CollectOptions = {}): Promise<HitScan> {
  const accounts = options.counting ? await loadCountedAccounts(db) : await loadAccounts(db, options.only?.subscriptionIds);
  const subs = new Map<number, SubscriptionRow>();
  const hits: Hit[] = [];
  const ledger = options.ledger;
  const asOfDay = toDayNumber(asOf);
  // per kind and cycle date (the rows of a run share a few hundred dates): the stage sendable on asOf, and
  // one string for the date that every hit of it shares
  const known: Record<NoticeKind, Map<string, { s: SendableStage; base: string } | null>> = {
    renewal: new Map(),
    dormancy: new Map(),
    activation: new Map(),
  };
  const stageHit = (
    kind: NoticeKind,
    subjectId: number,
    subscriptionId: number,
    date: string,
    contactEmail: string | null = null,
    contactName: string | null = null,
  ) => {
    let found = known[kind].get(date);
    if (found === undefined) {
      const stage = sendableStage(kind, date, asOfDay);
      known[kind].set(date, (found = stage === null ? null : { s: stage, base: date }));
    }
    if (found === null) return false;
    const { s, base } = found;
    const key = ledger && ledger.size > 0 ? noticeKey(kind, subjectId, s.stage, base) : undefined;
    const prior = key === undefined ? null : (ledger!.get(key) ?? null);
    if (prior === 'sent' || prior === 'skipped') return false;
    const holder = prior === null ? null : (options.holders?.get(key!) ?? null);
    hits.push({
      kind,
      stage: s.stage,
      due_date: s.due_date,
      cycle: base,
      subject_id: subjectId,
      subscription_id: subscriptionId,
      contact_email: contactEmail,
      contact_name: contactName,
      prior,
      holder,
    });
    return true;
  };

  const renewed = options.shared?.renewed ?? (await renewedIds(db, options.only?.subscriptionIds));
  // a subscription's renewal and activation stages; whether it has any
  const subscriptionHits = (id: number, end: string, paid: string | null, coded: boolean) => {
    let used = false;
    if (!renewed.has(id)) used = stageHit('renewal', id, id, end) || used;
    if (paid !== null && coded) used = stageHit('activation', id, id, paid) || used;
    return used;
  };
  if (options.counting && options.only === undefined) {
    // counted only: the dates as arrays, no subscription row kept (countDue reads every owner itself)
    for await (const rows of arrayBatches<RenewalDates>(db, renewalDates(db, asOf)))
      for (const [id, account, end, paid, coded] of rows) if (accounts.has(account)) subscriptionHits(id, end, paid, coded === 1);
  } else {
    const subRows = options.only ? [await subscriptionsById(db, options.only.subscriptionIds)] : undefined;
    for (const rows of subRows ?? [])
      for (const r of rows)
        if (accounts.has(r.account_id) && subscriptionHits(r.id, r.end_date, r.paid_at, r.activation_code !== null)) subs.set(r.id, r);
    // the whole run: the rows as arrays, an object made of a subscription only when it has a hit
    if (!subRows)
      for await (const rows of renewalRows(db, asOf))
        for (const a of rows)
          if (accounts.has(a[2]) && subscriptionHits(a[0], a[7], a[9], a[10] !== null)) subs.set(a[0], subscriptionRow(a));
  }
  // a run's seats scanned beside it: meanwhile the subscriptions they can belong to are read here (what
  // buildCandidates would otherwise look up by id once the seats have come)
  if (options.seats && !options.counting) await addRunningSubscriptions(db, asOf, subs);
  // the dormant seats: from the run's part beside it (options.seats), else scanned here (a re-check by id:
  // those seats only); their hits after the subscriptions', in the scan's order
  // (a count needs no contact: counted seats come without their contacts' emails and names)
  const seats = await (options.seats ? options.seats() : dormantSeats(db, asOf, options.only?.seatIds, !options.counting));
  for (let i = 0; i < seats.ids.length; i++)
    stageHit(
      'dormancy',
      seats.ids[i]!,
      seats.subscriptions[i]!,
      seats.dates[seats.base[i]!]!,
      seats.emails[i] ?? null,
      seats.names[i] ?? null,
    );
  return { accounts, subs, hits };
}

/** The subscriptions of the hits that are not in `subs` yet (dormant seats'), added to it. */
export async function addHitSubscriptions(db: Kysely<DB>, subs: Map<number, SubscriptionRow>, hits: readonly Hit[]): Promise<void> {
  const missing = new Set<number>();
  for (const h of hits) if (!subs.has(h.subscription_id)) missing.add(h.subscription_id);
  await seatSubscriptionsById(db, [...missing], subs);
}

/**
 * Who gets a hit: undefined when it is no notice at all (its subscription or account is gone, or a
 * dormant seat of a tutor account), else the recipient, or the reason there is none.
 */
export function hitRecipient(
  h: Hit,
  row: Pick<SubscriptionRow, 'account_id' | 'manager_id'> | undefined,
  account: AccountInfo | undefined,
  recipients: Recipients,
): Recipient | string | undefined {
  // a dormant seat's subscription must belong to an active, non-tutor account
  if (!row || !account || (h.kind === 'dormancy' && account.tutor)) return undefined;
  return recipients.resolve(row, h.kind);
}

/** Details for the hits that survived: subscriptions of dormant seats, contacts, names, recipients. */
async function buildCandidates(
  db: Kysely<DB>,
  asOf: string,
  accounts: Map<number, AccountInfo>,
  subs: Map<number, SubscriptionRow>,
  hits: Hit[],
  shared: SharedMaps | undefined,
  /** a re-check by id: only the accounts at hand have their primary contacts loaded */
  only: boolean,
): Promise<CandidateSet> {
  await addHitSubscriptions(db, subs, hits);
  const names = shared?.names ?? (await loadNames(db));
  const recipients = shared?.recipients ?? (await loadRecipients(db, asOf, only ? [...accounts.keys()] : undefined));
  const infos = new Map<number, SubInfo>();
  const out: CandidateSet = { candidates: [], noRecipient: [] };
  // a part of the hits at a time, taken off the list: not every hit is held beside the candidates made
  // of them (the dormant seats' contacts came with the seats: dormantSeats)
  while (hits.length > 0) for (const h of hits.splice(0, HIT_PART)) build(h);
  return out;

  function build(h: Hit): void {
    // a subscription's row gives way to its details once they are made (both of 100,000 are not held)
    let sub = infos.get(h.subscription_id);
    if (!sub) {
      const row = subs.get(h.subscription_id);
      const account = row ? accounts.get(row.account_id) : undefined;
      if (!row || !account) return; // its subscription or account is gone: no notice (hitRecipient)
      infos.set(row.id, (sub = toSubInfo(row, account, names)));
      subs.delete(row.id);
    }
    const recipient = hitRecipient(h, sub, accounts.get(sub.account_id), recipients);
    if (recipient === undefined) return;
    if (typeof recipient === 'string') {
      const where = {
        account_external_id: sub.account_external_id,
        subscription_external_id: sub.external_id,
        contact_email: h.contact_email,
      };
      out.noRecipient.push({ kind: h.kind, stage: h.stage, due_date: h.due_date, ...where, reason: recipient });
      return;
    }
    out.candidates.push({
      kind: h.kind,
      stage: h.stage,
      due_date: h.due_date,
      cycle: h.cycle,
      subject_id: h.subject_id,
      sub,
      recipient,
      contact_email: h.contact_email,
      contact_name: h.contact_name,
      prior: h.prior,
      holder: h.holder,
    });
  }
}

/** Hits turned into candidates at a time (their contacts fetched together). */
const HIT_PART = 5000;

function toSubInfo(r: SubscriptionRow, account: AccountInfo, names: Awaited<ReturnType<typeof loadNames>>): SubInfo {
  return {
    id: r.id,
    external_id: r.external_id,
    account_id: r.account_id,
    account_external_id: account.external_id,
    account_name: account.name,
    locale: account.locale,
    product: names.products.get(r.product_id) ?? '',
    plan: names.plans.get(r.plan_id) ?? '',
    students: r.students,
    start_date: r.start_date,
    end_date: r.end_date,
    paid_at: r.paid_at,
    activation_code: r.activation_code,
    manager_id: r.manager_id,
  };
}

/**
 * The date a seat's dormancy counts from: the UTC date of its last login, or its invitation date when
 * it never logged in (the seats query computes the same). The stored last login is never earlier than
 * the seat's latest login event (seatRows).
 */
export function dormancyBase(lastLogin: string | null, invitedAt: string | null): string | null {
  return lastLogin !== null ? timestampDate(lastLogin) : invitedAt;
}
