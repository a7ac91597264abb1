/**
 * activities.csv: key id (ACT-000001); a row without one is a new activity and gets the next key. The
 * rules of `activities add` and `edit`, row by row: references (account, a contact of it, manager, the
 * activity followed, in the database or earlier in the file), the defaults (manager, at, duration,
 * status) and, once every row is in, fair use in order of `at` (rows of the file included). A row with
 * an override_reason is an override, taken as such (migrating history).
 */
import { ACTIVITY_COLUMNS } from '../../activities/record.js';
import { ACTIVITY_KEY, activityNumber, activityNow, defaultDuration, defaultStatus } from '../../activities/rules.js';
import { ACTIVITY_FIELDS, isSessionKind, type SessionKind } from '../../activities/fields.js';
import { breach, breachMessage, limitsOn, nextFreeDay, type RunningPlan } from '../../activities/fair-use.js';
import { accountPlans } from '../../activities/sessions.js';
import { clearedFields, missingFields } from '../../lib/checks.js';
import { timestampDate } from '../../lib/dates.js';
import { foldKey } from '../../lib/keys.js';
import { FORMATS } from '../../formats/catalog.js';
import type { RowProblem } from '../errors.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { cached, coerceRow, upserting } from './common.js';
import { findNumbered, isRowResult } from './numbered.js';
import type { Deferred, EntityDef, ImportContext, RowIn, RowResult } from './types.js';

const COLUMNS = ACTIVITY_COLUMNS;

/** A session this file wrote, for the fair-use check at the end. */
interface Written {
  line: number;
  id: number;
}

export const activities: EntityDef = {
  name: 'activities',
  columns: async () => [...ACTIVITY_FIELDS],
  required: FORMATS.activities.required,
  checksAtEnd: true,
  async open(ctx: ImportContext) {
    const { statements, db, up } = upserting(ctx, 'activities', COLUMNS);
    const byNumber = statements.getter(db.selectFrom('activities').selectAll().where('number', '=', 0));
    const accountByKey = cached(
      statements.getter(db.selectFrom('accounts').select(['id', 'external_id', 'manager_id']).where('external_id_key', '=', '')),
    );
    const accountById = statements.getter(db.selectFrom('accounts').select(['id', 'external_id', 'manager_id']).where('id', '=', 0));
    const contact = statements.getter(
      db.selectFrom('contacts').select(['id', 'status']).where('account_id', '=', 0).where('email_key', '=', ''),
    );
    // a file names a few managers many times: each looked up once
    const manager = cached(statements.getter(db.selectFrom('managers').select(['id']).where('login', '=', '')));
    const max = await db
      .selectFrom('activities')
      .select((eb) => eb.fn.max('number').as('n'))
      .executeTakeFirst();
    let next = Number(max?.n ?? 0) + 1;
    const now = activityNow(ctx.op);
    const written: Written[] = [];

    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(ACTIVITY_FIELDS, text, ctx.dateFormat);
      const found = yield* findNumbered(up, byNumber, ACTIVITY_KEY, text.id, line);
      if (isRowResult(found)) return found;
      const { number, existing } = found;
      problems.push(...(existing ? clearedFields(ACTIVITY_FIELDS, v) : missingFields(ACTIVITY_FIELDS, v, problems)));
      const rec: Row = {};
      for (const f of ['kind', 'subject', 'notes', 'at', 'duration_minutes', 'status', 'outcome', 'override_reason'] as const)
        if (f in v) rec[f] = v[f];
      const account =
        v.account_external_id !== undefined && v.account_external_id !== null
          ? yield* wait(accountByKey(v.account_external_id as string))
          : existing
            ? yield* wait(accountById(existing.account_id))
            : undefined;
      if (!account && v.account_external_id) {
        problems.push({ field: 'account_external_id', value: text.account_external_id, rule: 'no account with this external_id' });
      }
      if (account) {
        rec.account_id = account.id;
        yield* resolveRefs(v, text, rec, account, problems);
      }
      if (problems.length > 0) return problems;
      if (!existing) {
        rec.number = number ?? next;
        next = Math.max(next, (rec.number as number) + 1);
        rec.at ??= now;
        rec.status ??= defaultStatus(rec.at as string, now);
        rec.duration_minutes ??= defaultDuration(rec.kind as string);
        if (!('manager_id' in rec)) rec.manager_id = account!.manager_id;
      }
      const out = yield* up.write(line, existing, rec);
      written.push({ line, id: out.id });
      return out.outcome;
    }

    function* resolveRefs(v: Record<string, unknown>, text: RowIn['text'], rec: Row, account: Row, problems: RowProblem[]): Step<void> {
      if (typeof v.contact_email === 'string') {
        const c = yield* wait(contact(account.id, foldKey(v.contact_email)));
        if (c && c.status !== 'removed') rec.contact_id = c.id;
        else
          problems.push({
            field: 'contact_email',
            value: text.contact_email,
            rule: `is not a contact of account ${String(account.external_id)}`,
          });
      } else if (v.contact_email === null) rec.contact_id = null;
      if (typeof v.manager_login === 'string') {
        const m = yield* wait(manager(v.manager_login));
        if (m) rec.manager_id = m.id;
        else problems.push({ field: 'manager_login', value: text.manager_login, rule: 'no manager with this login' });
      } else if (v.manager_login === null) rec.manager_id = null;
      if (typeof v.follow_up_of === 'string') {
        const n = activityNumber(v.follow_up_of);
        const f = n === undefined ? undefined : yield* wait(byNumber(n));
        if (n === undefined) problems.push(ACTIVITY_KEY.problem('follow_up_of', text.follow_up_of!)!);
        else if (!f)
          problems.push({
            field: 'follow_up_of',
            value: text.follow_up_of,
            rule: 'no activity with this key (in the database or earlier in the file)',
          });
        else if (f.account_id !== account.id)
          problems.push({
            field: 'follow_up_of',
            value: text.follow_up_of,
            rule: `is an activity of another account (not ${String(account.external_id)})`,
          });
        else rec.follow_up_of = f.id;
      } else if (v.follow_up_of === null) rec.follow_up_of = null;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish(): Promise<Deferred[]> {
        return fairUse(ctx, written);
      },
    };
  },
};

/**
 * The sessions this file wrote, in order of `at` (then line), each against the account's other sessions
 * and those of the file accepted before it. An override (override_reason) is accepted as it is, in its
 * place in that order.
 */
async function fairUse(ctx: ImportContext, written: readonly Written[]): Promise<Deferred[]> {
  const { db } = ctx.statements;
  if (written.length === 0) return [];
  const lineOf = new Map(written.map((w) => [w.id, w.line]));
  const rows = await db
    .selectFrom('activities as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select(['t.id', 't.account_id', 'a.external_id', 't.kind', 't.at', 't.override_reason'])
    .where('t.kind', 'in', ['web_session', 'training_session'])
    .where('t.status', '!=', 'cancelled')
    .where(
      't.account_id',
      'in',
      db
        .selectFrom('activities')
        .select('account_id')
        .where('id', 'in', [...lineOf.keys()]),
    )
    .execute();
  const accepted = new Map<string, string[]>();
  const dates = (accountId: number, kind: string) => {
    const k = `${accountId}/${kind}`;
    let list = accepted.get(k);
    if (!list) accepted.set(k, (list = []));
    return list;
  };
  const mine = [];
  for (const r of rows) {
    if (lineOf.has(r.id)) mine.push(r);
    else dates(r.account_id, r.kind).push(timestampDate(r.at));
  }
  mine.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : lineOf.get(a.id)! - lineOf.get(b.id)!));
  const plans = new Map<number, RunningPlan[]>();
  const refused: Deferred[] = [];
  for (const r of mine) {
    if (!plans.has(r.account_id)) plans.set(r.account_id, await accountPlans(db, r.account_id));
    const p = plans.get(r.account_id)!;
    const kind = r.kind as SessionKind;
    const date = timestampDate(r.at);
    const others = dates(r.account_id, kind);
    // an override is recorded anyway, and counts for the sessions after it
    const b = isSessionKind(kind) && r.override_reason === null ? breach(kind, date, others, limitsOn(p, date)) : undefined;
    if (!b) others.push(date);
    else
      refused.push({
        line: lineOf.get(r.id)!,
        problems: [{ field: '', value: '', rule: breachMessage(r.external_id, kind, b, nextFreeDay(kind, date, others, p)) }],
      });
  }
  return refused.sort((a, b) => a.line - b.line);
}
