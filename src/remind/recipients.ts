/**
 * Who receives a notice, resolved from maps loaded once per run (never a query per notice): the
 * subscription's manager (an inactive one too), or while a leave covers the as-of date their backup,
 * or the backup's backup (one level at most, as resolveRecipient does). A subscription without a
 * manager (tutors) goes to the account's earliest-created primary contact that is not removed.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../db/schema/index.js';
import { managersOnLeave } from '../managers/leave.js';
import { rowsByIds } from '../db/chunks.js';
import type { NoticeKind } from '../db/schema/notices.js';

export interface Recipient {
  /** "" for a contact (tutors) */
  login: string;
  email: string;
  name: string;
}

export interface RecipientSubject {
  manager_id: number | null;
  account_id: number;
}

export interface Recipients {
  /** The recipient, or a reason why there is none. */
  resolve(subject: RecipientSubject, kind: NoticeKind): Recipient | string;
}

/** `accountIds`: only these accounts' primary contacts are loaded (the re-check of a few notices). */
export async function loadRecipients(db: Kysely<DB>, asOf: string, accountIds?: readonly number[]): Promise<Recipients> {
  const managers = new Map<number, Recipient>();
  for (const m of await db.selectFrom('managers').select(['id', 'login', 'email', 'name']).execute()) {
    managers.set(m.id, { login: m.login, email: m.email, name: m.name });
  }
  const leaves = await managersOnLeave(db, asOf);
  const primaries = await loadPrimaryContacts(db, accountIds);
  const routed = new Map<number, Recipient>();

  function viaLeave(managerId: number): Recipient | undefined {
    let cached = routed.get(managerId);
    if (cached) return cached;
    let id = managerId;
    for (let hop = 0; hop < 2; hop++) {
      const backup = leaves.get(id);
      if (backup === undefined) break;
      id = backup;
    }
    cached = managers.get(id);
    if (cached) routed.set(managerId, cached);
    return cached;
  }

  return {
    resolve(subject, kind) {
      if (subject.manager_id !== null) return viaLeave(subject.manager_id) ?? `manager #${subject.manager_id} does not exist`;
      if (kind === 'dormancy') return 'the subscription has no manager';
      return (
        primaries.get(subject.account_id) ?? 'the subscription has no manager and the account has no primary contact that is not removed'
      );
    },
  };
}

/** Earliest-created non-removed primary contact of each account that has a subscription without a manager. */
async function loadPrimaryContacts(db: Kysely<DB>, accountIds?: readonly number[]): Promise<Map<number, Recipient>> {
  const query = (ids?: readonly number[]) =>
    db
      .selectFrom('contacts')
      .select(['account_id', 'email', 'name'])
      .where('is_primary', '=', 1)
      .where('status', '!=', 'removed')
      .where('account_id', 'in', (eb) => eb.selectFrom('subscriptions').select('account_id').where('manager_id', 'is', null))
      .$if(ids !== undefined, (q) => q.where('account_id', 'in', ids!))
      .orderBy('account_id')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  const out = new Map<number, Recipient>();
  for (const rows of await rowsByIds(accountIds, query)) {
    for (const r of rows) if (!out.has(r.account_id)) out.set(r.account_id, { login: '', email: r.email, name: r.name ?? r.email });
  }
  return out;
}
