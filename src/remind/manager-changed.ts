/**
 * `manager-changed` customer notices (issue 14): when a person changes an account's manager (the rows
 * of manager_changes, migration 0013), each primary contact of the account that is not removed is told
 * who the new manager is and how to reach them. The change is the cycle (`DATE/ID`), the contact the
 * subject (subject_id = contacts.id), so each contact gets one message per change; only the latest
 * change of an account is ever considered, so a change superseded before it went out is never sent, and
 * only while its new manager is still the account's: a manager cleared, a tutor made of the account, an
 * import or any other path that sets another manager records no change but supersedes it all the same.
 * Sendable from the day of the change for 30 days; same ledger, claims and exactly-once rules as the
 * invoice notices (src/remind/customer.ts), the new manager in Cc.
 */
import type { Kysely } from '#kysely';
import { rowsOfIds } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import type { NoticeStatus } from '../db/schema/notices.js';
import { addDays } from '../lib/dates.js';
import type { Op } from '../op.js';
import { CUSTOMER_EMAILS_OFF } from './customer.js';
import { splitMessage, templateLocale } from './customer-message.js';
import { claimCustomerRow, customerLedgerRow } from './customer-ledger.js';
import type { Digest } from './digest.js';
import type { Recipient } from './recipients.js';
import { LAST_STAGE_DAYS, noticeKey } from './schedule.js';
import { fill, type Templates } from './templates.js';
import { withName } from './wording.js';
import { dueAgain, type CollectOptions } from './retry.js';

export const MANAGER_CHANGED = 'manager-changed';

export interface ManagerChangedNotice {
  kind: typeof MANAGER_CHANGED;
  stage: typeof MANAGER_CHANGED;
  cycle: string;
  due_date: string;
  change_id: number;
  account: { id: number; external_id: string; name: string; locale: string | null };
  contact_id: number;
  recipient: Recipient;
  /** the new manager (in Cc), with their phone: still the account's manager */
  manager: Recipient & { phone: string | null };
  previous_manager_name: string | null;
  skip: string | null;
  prior: NoticeStatus | null;
  /** the ledger row this notice had before the run (a failed, abandoned or in-doubt one) */
  holder: { id: number; run_id: string; claimed_by: string | null } | null;
  ledger_id?: number;
}

/** The latest change of each account made in the last 30 days up to asOf, one notice per primary contact. */
export async function collectManagerChanged(
  db: Kysely<DB>,
  asOf: string,
  options: CollectOptions<ManagerChangedNotice> = {},
): Promise<ManagerChangedNotice[]> {
  const since = addDays(asOf, -(LAST_STAGE_DAYS - 1));
  const latest = await db
    .selectFrom('manager_changes as mc')
    .innerJoin('accounts as a', 'a.id', 'mc.account_id')
    // the change's new manager is still the account's (not cleared or replaced since, by whatever path)
    .innerJoin('managers as m', (j) => j.onRef('m.id', '=', 'mc.to_manager_id').onRef('m.id', '=', 'a.manager_id'))
    .leftJoin('managers as p', 'p.id', 'mc.from_manager_id')
    .select(['mc.id', 'mc.account_id', 'mc.changed_on', 'a.external_id', 'a.name', 'a.locale', 'a.customer_emails'])
    .select(['m.login', 'm.name as manager_name', 'm.email', 'm.phone', 'm.mobile', 'p.name as previous_name'])
    .where('mc.changed_on', '<=', asOf)
    .where('mc.changed_on', '>=', since)
    // the latest change of the account (up to asOf) supersedes every earlier one
    .where((eb) =>
      eb(
        'mc.id',
        '=',
        eb
          .selectFrom('manager_changes as l')
          .select((x) => x.fn.max('l.id').as('id'))
          .whereRef('l.account_id', '=', 'mc.account_id')
          .where('l.changed_on', '<=', asOf),
      ),
    )
    .orderBy('mc.id')
    .execute();
  if (latest.length === 0) return [];
  // each account's primary contacts in order of creation (a chunk of accounts a statement)
  const contacts = new Map<number, { id: number; email: string; name: string | null }[]>();
  const primaries = (chunk: number[]) =>
    db
      .selectFrom('contacts')
      .select(['id', 'account_id', 'email', 'name'])
      .where('account_id', 'in', chunk)
      .where('status', '!=', 'removed')
      .where('is_primary', '=', 1)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  for (const p of await rowsOfIds([...new Set(latest.map((c) => c.account_id))], primaries)) {
    const list = contacts.get(p.account_id);
    if (list) list.push(p);
    else contacts.set(p.account_id, [p]);
  }
  const ledger = new Map<string, { id: number; status: NoticeStatus; run_id: string; claimed_by: string | null }>();
  for (const r of await db
    .selectFrom('notices')
    .select(['id', 'subject_id', 'stage', 'cycle', 'status', 'run_id', 'claimed_by'])
    .where('kind', '=', MANAGER_CHANGED)
    .where('due_date', '>=', since)
    .execute())
    ledger.set(noticeKey(MANAGER_CHANGED, r.subject_id, r.stage, r.cycle), { ...r, status: r.status as NoticeStatus });
  const out: ManagerChangedNotice[] = [];
  for (const c of latest) {
    const cycle = `${c.changed_on}/${c.id}`;
    const manager = { login: c.login, name: c.manager_name, email: c.email, phone: c.phone ?? c.mobile };
    for (const p of contacts.get(c.account_id) ?? []) {
      const held = ledger.get(noticeKey(MANAGER_CHANGED, p.id, MANAGER_CHANGED, cycle)) ?? null;
      const holder = held && { id: held.id, run_id: held.run_id, claimed_by: held.claimed_by };
      const state = await dueAgain(held?.status ?? null, holder, options);
      if (!state) continue;
      (state === 'due' ? out : (options.held ?? [])).push({
        kind: MANAGER_CHANGED,
        stage: MANAGER_CHANGED,
        cycle,
        due_date: c.changed_on,
        change_id: c.id,
        account: { id: c.account_id, external_id: c.external_id, name: c.name, locale: c.locale },
        contact_id: p.id,
        recipient: { login: '', email: p.email, name: p.name ?? p.email },
        manager,
        previous_manager_name: c.previous_name,
        skip: c.customer_emails === 0 ? CUSTOMER_EMAILS_OFF : null,
        prior: held?.status ?? null,
        holder,
      });
    }
  }
  return out;
}

function ledgerRow(n: ManagerChangedNotice, op: Op, status: NoticeStatus, runId: string, claimant: string | null) {
  const fields = {
    kind: n.kind,
    subject_id: n.contact_id,
    stage: n.stage,
    cycle: n.cycle,
    due_date: n.due_date,
    recipient_email: n.recipient.email,
    account_external_id: n.account.external_id,
    subscription_external_id: '',
    contact_email: n.recipient.email,
    invoice_number: null,
    reason: n.skip,
  };
  return customerLedgerRow(fields, op, status, runId, claimant);
}

/** Claims the notices (compare-and-set on the row this run read); a notice another run took first yields nothing. */
export async function claimManagerChanged(
  db: Kysely<DB>,
  op: Op,
  notices: ManagerChangedNotice[],
  status: 'claimed' | 'sent',
  runId: string,
  claimant: string | null,
): Promise<ManagerChangedNotice[]> {
  const out: ManagerChangedNotice[] = [];
  for (const n of notices) {
    const id = await claimCustomerRow(db, op, ledgerRow(n, op, n.skip ? 'skipped' : status, runId, claimant), n, runId, claimant);
    if (id !== undefined) out.push({ ...n, ledger_id: id });
  }
  return out;
}

/** The message: in the account's locale (else the fallback), the new manager in Cc. */
export function composeManagerChanged(templates: Templates, n: ManagerChangedNotice, asOf: string): Digest {
  const wanted = templateLocale(n.account.locale);
  const locale = templates.localeFor('manager-changed', wanted);
  const m = n.manager;
  const contact = [`${m.name} <${m.email}>`, ...(m.phone ? [m.phone] : [])].map((l) => `  ${l}`).join('\n');
  const filled = fill(templates.text('manager-changed', wanted), {
    recipient_name: n.recipient.name,
    account_name: n.account.name,
    account_external_id: n.account.external_id,
    manager_name: m.name,
    with_manager_name: withName(templates.words(locale), m.name),
    manager_email: m.email,
    manager_phone: m.phone,
    manager_contact: contact,
    previous_manager_name: n.previous_manager_name,
    changed_on: n.due_date,
    date: asOf,
  });
  const cc = { login: m.login, name: m.name, email: m.email };
  return { to: n.recipient, cc, ...splitMessage(filled), refs: [[n.kind, n.cycle, n.account.external_id, n.recipient.email].join('/')] };
}
