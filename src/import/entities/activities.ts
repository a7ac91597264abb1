/**
 * activities.csv: key id (ACT-000001); a row without one is a new activity and gets the next key. The
 * rules of `activities add` and `edit`, row by row: references (account, a contact of it, manager, the
 * activity followed, in the database or earlier in the file), the defaults (manager, at, duration,
 * status) and, once every row is in, fair use in order of `at` (rows of the file included). A row with
 * an override_reason is an override, taken as such (migrating history). A large file is bulk-loaded
 * (src/import/entities/lookups.ts): 100,000 activities on PostgreSQL 26.8 s → 2.4 s.
 */
import { ACTIVITY_COLUMNS } from '../../activities/record.js';
import {
  ACTIVITY_KEY,
  activityKey,
  activityNumber,
  activityNow,
  heldToFairUse,
  defaultDuration,
  defaultStatus,
  FOLLOW_UP_CYCLE,
  followedMoveRule,
  otherAccountRule,
} from '../../activities/rules.js';
import { findParentCycles } from '../../accounts/rules.js';
import { ACTIVITY_FIELDS, isSessionKind, type SessionKind } from '../../activities/fields.js';
import { breach, breachMessage, limitsOn, nextFreeDay } from '../../activities/fair-use.js';
import { plansOfAccounts } from '../../activities/sessions.js';
import { rowsOfIds } from '../../db/chunks.js';
import { clearedFields, missingFields } from '../../lib/checks.js';
import { timestampDate } from '../../lib/dates.js';
import { foldKey } from '../../lib/keys.js';
import { FORMATS } from '../../formats/catalog.js';
import type { RowProblem } from '../errors.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { bulkWhenLarge, coerceRow, IdLines, upserting } from './common.js';
import { accountLookups, contactsOfAccounts, firstFreeNumber, managersByLogin, notAContact, rowsByNumber } from './lookups.js';
import { findNumbered, isRowResult } from './numbered.js';
import type { Deferred, EntityDef, FileInfo, ImportContext, RowIn, RowOutcome, RowResult } from './types.js';

const COLUMNS = ACTIVITY_COLUMNS;

/**
 * The rows this file wrote, for the checks at the end: their lines and outcomes (OUTCOMES' index + 1) by
 * id, and their accounts.
 */
interface Written {
  lines: IdLines;
  outcomes: IdLines;
  accounts: Set<number>;
}

const OUTCOMES: readonly RowOutcome[] = ['inserted', 'updated', 'unchanged'];

/** An activities row is ≈ 80–200 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 128;

export const activities: EntityDef = {
  name: 'activities',
  columns: async () => [...ACTIVITY_FIELDS],
  required: FORMATS.activities.required,
  checksAtEnd: true,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { up } = upserting(ctx, 'activities', COLUMNS);
    // a large file: new activities queued (PostgreSQL's COPY), the unique number checked in memory, the
    // accounts and contacts read whole where they are not much larger than the file
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['number']);
    const byNumber = rowsByNumber(ctx, up, 'activities');
    const { byKey: accountByKey, byId: accountById } = await accountLookups(ctx, whole, ['id', 'external_id', 'manager_id']);
    const contactId = await contactsOfAccounts(ctx, whole);
    const manager = managersByLogin(ctx);
    /**
     * The rows this file wrote by number — their id and account — for a later follow_up_of: a lookup of a
     * row still in the COPY would end it (4 bytes a row and a value, in pages).
     */
    const writtenIds = new IdLines();
    const writtenAccounts = new IdLines();
    function* activity(n: number): Step<Row | undefined> {
      const id = writtenIds.get(n);
      if (id !== undefined) return { id, account_id: writtenAccounts.get(n) };
      return yield* wait(byNumber(n));
    }
    let next = await firstFreeNumber(ctx, 'activities');
    const now = activityNow(ctx.op);
    const written: Written = { lines: new IdLines(), outcomes: new IdLines(), accounts: new Set() };

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
      // an override that overrides nothing (not a session, or cancelled) is not recorded, as on the command line
      if (rec.override_reason != null && !heldToFairUse((rec.kind ?? existing!.kind) as string, (rec.status ?? existing!.status) as string))
        rec.override_reason = null;
      const out = yield* up.write(line, existing, rec);
      const key = (rec.number ?? existing!.number) as number;
      const accountId = (rec.account_id ?? existing!.account_id) as number;
      written.lines.set(out.id, line);
      written.outcomes.set(out.id, OUTCOMES.indexOf(out.outcome) + 1);
      written.accounts.add(accountId);
      writtenIds.set(key, out.id);
      writtenAccounts.set(key, accountId);
      return out.outcome;
    }

    function* resolveRefs(v: Record<string, unknown>, text: RowIn['text'], rec: Row, account: Row, problems: RowProblem[]): Step<void> {
      if (typeof v.contact_email === 'string') {
        const c = yield* contactId(account.id as number, foldKey(v.contact_email));
        if (c !== undefined) rec.contact_id = c;
        else problems.push(notAContact(text, account));
      } else if (v.contact_email === null) rec.contact_id = null;
      if (typeof v.manager_login === 'string') {
        const m = yield* wait(manager(v.manager_login));
        if (m) rec.manager_id = m.id;
        else problems.push({ field: 'manager_login', value: text.manager_login, rule: 'no manager with this login' });
      } else if (v.manager_login === null) rec.manager_id = null;
      if (typeof v.follow_up_of === 'string') {
        const n = activityNumber(v.follow_up_of);
        const f = n === undefined ? undefined : yield* activity(n);
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
            rule: otherAccountRule(String(account.external_id)),
          });
        else rec.follow_up_of = f.id;
      } else if (v.follow_up_of === null) rec.follow_up_of = null;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish(): Promise<Deferred[]> {
        ctx.notes?.push(...(await up.finish()));
        return refusedAtEnd(written, [...(await followUpLinks(ctx, written)), ...(await fairUse(ctx, written))]);
      },
    };
  },
};

/**
 * The sessions this file wrote, in order of `at` (then line), each against the account's other sessions
 * and those of the file accepted before it. An override (override_reason) is accepted as it is, in its
 * place in that order.
 */
async function fairUse(ctx: ImportContext, written: Written): Promise<Deferred[]> {
  const { db } = ctx.statements;
  if (written.accounts.size === 0) return [];
  // the sessions of the accounts written to, a chunk of accounts a statement
  const rows = await rowsOfIds([...written.accounts], (ids) =>
    db
      .selectFrom('activities as t')
      .innerJoin('accounts as a', 'a.id', 't.account_id')
      .select(['t.id', 't.account_id', 'a.external_id', 't.kind', 't.at', 't.override_reason'])
      .where('t.kind', 'in', ['web_session', 'training_session'])
      .where('t.status', '!=', 'cancelled')
      .where('t.account_id', 'in', ids)
      .execute(),
  );
  const lineOf = (id: number) => written.lines.get(id);
  const accepted = new Map<string, string[]>();
  const dates = (accountId: number, kind: string) => {
    const k = `${accountId}/${kind}`;
    let list = accepted.get(k);
    if (!list) accepted.set(k, (list = []));
    return list;
  };
  const mine = [];
  for (const r of rows) {
    if (lineOf(r.id) !== undefined) mine.push(r);
    else dates(r.account_id, r.kind).push(timestampDate(r.at));
  }
  mine.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : lineOf(a.id)! - lineOf(b.id)!));
  const plans = await plansOfAccounts(db, [...new Set(mine.map((r) => r.account_id))]);
  const refused: Deferred[] = [];
  for (const r of mine) {
    const p = plans.get(r.account_id) ?? [];
    const kind = r.kind as SessionKind;
    const date = timestampDate(r.at);
    const others = dates(r.account_id, kind);
    // an override is recorded anyway, and counts for the sessions after it
    const b = isSessionKind(kind) && r.override_reason === null ? breach(kind, date, others, limitsOn(p, date)) : undefined;
    if (!b) others.push(date);
    else
      refused.push({
        line: lineOf(r.id)!,
        outcome: OUTCOMES[written.outcomes.get(r.id)! - 1],
        problems: [{ field: '', value: '', rule: breachMessage(r.external_id, kind, b, nextFreeDay(kind, date, others, p)) }],
      });
  }
  return refused;
}

/**
 * One line per refused row (its problems together), with the outcome the row loop counted for it, which
 * the engine takes back: a row refused at the end was applied first, but is counted once, as rejected.
 */
function refusedAtEnd(written: Written, found: readonly Deferred[]): Deferred[] {
  const byLine = new Map<number, Deferred>();
  for (const d of found) {
    const seen = byLine.get(d.line);
    if (seen) seen.problems.push(...d.problems);
    else byLine.set(d.line, { ...d, problems: [...d.problems] });
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

/**
 * The follow-up links of the rows this file wrote, as `activities edit` checks them: an update may move
 * an activity to another account, away from the activity it follows or from its followers, or make it
 * follow one of its own follow-ups (a loop, which no later import of the export could recreate).
 */
async function followUpLinks(ctx: ImportContext, written: Written): Promise<Deferred[]> {
  const { db } = ctx.statements;
  if (written.accounts.size === 0) return [];
  const refused: Deferred[] = [];
  const outcome = (id: number) => OUTCOMES[written.outcomes.get(id)! - 1];
  const across = await rowsOfIds([...written.accounts], (ids) =>
    db
      .selectFrom('activities as t')
      .innerJoin('activities as f', 'f.id', 't.follow_up_of')
      .innerJoin('accounts as ta', 'ta.id', 't.account_id')
      .innerJoin('accounts as fa', 'fa.id', 'f.account_id')
      .select(['t.id', 't.number', 'ta.external_id as account', 'f.id as f_id', 'f.number as f_number', 'fa.external_id as f_account'])
      .whereRef('t.account_id', '!=', 'f.account_id')
      .where((eb) => eb.or([eb('t.account_id', 'in', ids), eb('f.account_id', 'in', ids)]))
      .execute(),
  );
  const seen = new Set<number>();
  for (const r of across) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const line = written.lines.get(r.id);
    const fLine = written.lines.get(r.f_id);
    if (line !== undefined)
      refused.push({
        line,
        outcome: outcome(r.id),
        problems: [{ field: 'follow_up_of', value: activityKey(r.f_number), rule: otherAccountRule(r.account) }],
      });
    else if (fLine !== undefined)
      refused.push({
        line: fLine,
        outcome: outcome(r.f_id),
        problems: [
          {
            field: 'account_external_id',
            value: r.f_account,
            rule: followedMoveRule(activityKey(r.f_number), [{ key: activityKey(r.number), account: r.account }]),
          },
        ],
      });
  }
  const links = await rowsOfIds([...written.accounts], (ids) =>
    db
      .selectFrom('activities')
      .select(['id', 'number', 'follow_up_of'])
      .where('account_id', 'in', ids)
      .where('follow_up_of', 'is not', null)
      .execute(),
  );
  const parentOf = new Map<number, number | null>(links.map((r) => [r.id, r.follow_up_of]));
  const numberOf = new Map<number, number>(links.map((r) => [r.id, r.number]));
  for (const loop of findParentCycles(parentOf)) {
    const at = loop.find((id) => written.lines.get(id) !== undefined);
    if (at === undefined) continue;
    const start = loop.indexOf(at);
    const keys = [...loop.slice(start, -1), ...loop.slice(0, start), at].map((id) => activityKey(numberOf.get(id)!));
    refused.push({
      line: written.lines.get(at)!,
      outcome: outcome(at),
      problems: [{ field: 'follow_up_of', value: keys[1]!, rule: `${FOLLOW_UP_CYCLE}: ${keys.join(' → ')}` }],
    });
  }
  return refused;
}
