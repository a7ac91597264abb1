/** What fair use needs from the database: an account's plans by date and its counting sessions. */
import type { Kysely } from '#kysely';
import { rowsOfIds } from '../db/chunks.js';
import type { DB } from '../db/schema/index.js';
import { RefusedError } from '../errors.js';
import { timestampDate } from '../lib/dates.js';
import { breach, breachMessage, limitsOn, nextFreeDay, type RunningPlan } from './fair-use.js';
import type { SessionKind } from './fields.js';

/** The account's subscriptions that are not cancelled, with their plans' limits. */
export async function accountPlans(db: Kysely<DB>, accountId: number): Promise<RunningPlan[]> {
  return (await plansOfAccounts(db, [accountId])).get(accountId) ?? [];
}

/** accountPlans of many accounts (a chunk of them a query): those without a plan are not in the map. */
export async function plansOfAccounts(db: Kysely<DB>, accountIds: readonly number[]): Promise<Map<number, RunningPlan[]>> {
  const rows = await rowsOfIds(accountIds, (ids) =>
    db
      .selectFrom('subscriptions as s')
      .innerJoin('plans as p', 'p.id', 's.plan_id')
      .select(['s.account_id', 's.start_date', 's.end_date', 'p.sessions_per_week', 'p.sessions_per_month', 'p.trainings_per_year'])
      .where('s.account_id', 'in', ids)
      .where('s.status', '!=', 'cancelled')
      .orderBy('s.id')
      .execute(),
  );
  const out = new Map<number, RunningPlan[]>();
  for (const r of rows) {
    const plan = {
      start_date: r.start_date,
      end_date: r.end_date,
      per_week: r.sessions_per_week,
      per_month: r.sessions_per_month,
      per_year: r.trainings_per_year,
    };
    const list = out.get(r.account_id);
    if (list) list.push(plan);
    else out.set(r.account_id, [plan]);
  }
  return out;
}

/** UTC dates of the account's sessions of this kind that are not cancelled (except one, being changed). */
export async function sessionDates(db: Kysely<DB>, accountId: number, kind: SessionKind, exceptId?: number): Promise<string[]> {
  let q = db
    .selectFrom('activities')
    .select('at')
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('status', '!=', 'cancelled');
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.execute()).map((r) => timestampDate(r.at));
}

/** The line that refuses a session on `date` past a limit of the account, or undefined when it is within them. */
export async function fairUseProblem(
  db: Kysely<DB>,
  account: { id: number; external_id: string },
  kind: SessionKind,
  date: string,
  exceptId?: number,
): Promise<string | undefined> {
  const plans = await accountPlans(db, account.id);
  const others = await sessionDates(db, account.id, kind, exceptId);
  const b = breach(kind, date, others, limitsOn(plans, date));
  return b ? breachMessage(account.external_id, kind, b, nextFreeDay(kind, date, others, plans)) : undefined;
}

/** Refuses (exit 1, one line) a session on `date` past a limit of the account. */
export async function assertFairUse(
  db: Kysely<DB>,
  account: { id: number; external_id: string },
  kind: SessionKind,
  date: string,
  exceptId?: number,
): Promise<void> {
  const problem = await fairUseProblem(db, account, kind, date, exceptId);
  // one line, as the issue asks: no hint (the help of `activities add` names --override --reason)
  if (problem) throw new RefusedError(problem);
}
