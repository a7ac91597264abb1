/**
 * seats.csv: key subscription_external_id + email; the email must be a contact of the subscription's
 * account, and a removed contact gets no new or revived seat that is not removed (removedContactSeatRule). last_login_at never moves backwards (the later of the stored and the given value). An account's
 * contacts and a subscription's seats are read at once, the first time the file names them (RowsByParent):
 * on PostgreSQL a round trip a row each before — 30,000 seats over 4,000 subscriptions 13.4 s, then 7.5 s.
 * A large file is bulk-loaded (`bulkWhenLarge`), its references read whole: 200,000 seats over 20,000
 * subscriptions beside a million contacts, PostgreSQL 79–118 s → 5.4–7.6 s, SQLite 11.7 s → 5.3–7.4 s.
 */
import { withDefaults } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { sql } from '#kysely';
import { laterTimestamp, removedContactSeatRule } from '../../seats/rules.js';
import { SEAT_FIELDS } from '../../seats/fields.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { ChildIndex } from '../bulk/children.js';
import { bulkWhenLarge, coerceRow, requireKeys, RowsByParent, stored, Upserter } from './common.js';
import { byExternalId } from './lookups.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

/** A seats row is ≈ 50 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 64;

/**
 * The removal date a row leaves: a row that removes a seat dates the removal on its removed_at, else on
 * the import's as-of date (a seat already removed keeps its date); a row giving any other status clears
 * it; a row without a status leaves it as it is, or sets the date of a seat that is removed. A removal
 * date for a seat that is not removed is refused (undefined: the row is left as it is).
 */
function removedAt(
  existing: Row | undefined,
  status: string | undefined,
  given: string | undefined,
  asOf: string,
): { at: string | null | undefined } | { refused: string } {
  const removed = status === 'removed' || (status === undefined && existing?.status === 'removed');
  if (given !== undefined) return removed ? { at: given } : { refused: NOT_REMOVED };
  if (status === undefined) return { at: existing ? undefined : null };
  if (status !== 'removed') return { at: null };
  return { at: existing?.status === 'removed' ? ((existing.removed_at as string | null) ?? asOf) : asOf };
}

const NOT_REMOVED = 'a removal date needs status removed (a seat that is not removed has none)';

export const seats: EntityDef = {
  name: 'seats',
  columns: async () => [...SEAT_FIELDS],
  required: FORMATS.seats.required,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'seats', ['subscription_id', 'contact_id', 'status', 'invited_at', 'last_login_at', 'removed_at']);
    // a large file: new seats queued (PostgreSQL's COPY, SQLite's multi-row INSERTs), the unique key
    // (subscription, contact) checked in memory, the subscriptions and contacts read whole where they are
    // not much larger than the file
    const whole = await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['subscription_id', 'contact_id']);
    const subscription = await byExternalId(ctx, whole, 'subscriptions', ['id', 'account_id', 'external_id']);
    // whether a contact is removed, as 1 or 0 (the whole read keeps numbers only)
    const removed = sql<number>`case when status = 'removed' then 1 else 0 end`.as('removed');
    const contacts = whole('contacts')
      ? await ChildIndex.read(
          statements.scan(statements.db.selectFrom('contacts').select(['id', 'account_id', 'email_key', removed]), 'id'),
          1,
        )
      : undefined;
    const contactsOf = new RowsByParent(
      statements.all(statements.db.selectFrom('contacts').select(['id', 'email_key', removed]).where('account_id', '=', 0).orderBy('id')),
      (r) => r.email_key as string,
    );
    /** The account's contact with this email key: its id and whether it is removed. */
    function* contactOf(accountId: number, emailKey: string): Step<{ id: number; removed: boolean } | undefined> {
      if (contacts) {
        const c = contacts.find(accountId, emailKey);
        return c && { id: c[0]!, removed: c[1] === 1 };
      }
      const c = (yield* wait(contactsOf.of(accountId))).get(emailKey);
      return c && { id: c.id as number, removed: Number(c.removed) === 1 };
    }
    const accountKey = statements.getter(statements.db.selectFrom('accounts').select(['external_id']).where('id', '=', 0));
    const seats = new RowsByParent(
      statements.all(statements.db.selectFrom('seats').selectAll().where('subscription_id', '=', 0).orderBy('id')),
      (r) => r.contact_id as number,
    );
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(SEAT_FIELDS, text, ctx.dateFormat);
      problems.unshift(...requireKeys(text, FORMATS.seats.rowKey));
      if (problems.length > 0) return problems;
      const sub = yield* wait(subscription(v.subscription_external_id as string));
      if (!sub)
        return [
          {
            field: 'subscription_external_id',
            value: text.subscription_external_id!,
            rule: 'no subscription with this external_id (in the database or the subscriptions imported with it)',
          },
        ];
      const found = yield* contactOf(sub.account_id as number, foldKey(v.email as string));
      if (found === undefined) {
        const acc = String((yield* wait(accountKey(sub.account_id)))?.external_id);
        return [{ field: 'email', value: text.email!, rule: `is not a contact of account ${acc} (import it in contacts.csv first)` }];
      }
      const contact = found.id;
      const existing = up.bulkMode ? yield* wait(up.findByKey([sub.id, contact])) : (yield* wait(seats.of(sub.id as number))).get(contact);
      const pre = up.precheck(existing, { field: 'email', value: text.email!, what: 'same subscription_external_id + email' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      const given = existing ? v : withDefaults(SEAT_FIELDS, v);
      const rec: Row = {};
      for (const f of SEAT_FIELDS.slice(2)) rec[f.name] = stored(f, given[f.name]);
      if (existing) {
        if (rec.last_login_at !== undefined)
          rec.last_login_at = laterTimestamp(existing.last_login_at as string | null, rec.last_login_at as string);
      } else Object.assign(rec, { subscription_id: sub.id, contact_id: contact });
      if (found.removed) {
        // a removed contact gets no new or revived seat that is not removed (as seats add)
        const after = (rec.status ?? existing?.status) as string;
        const acc = String((yield* wait(accountKey(sub.account_id)))?.external_id);
        const rule = removedContactSeatRule(
          { email: v.email as string, status: 'removed' },
          acc,
          existing?.status as string | undefined,
          after,
        );
        if (rule !== undefined) return [{ field: 'email', value: text.email!, rule }];
      }
      const removal = removedAt(existing, rec.status as string | undefined, rec.removed_at as string | undefined, ctx.op.asOf);
      if ('refused' in removal) return [{ field: 'removed_at', value: text.removed_at!, rule: removal.refused }];
      rec.removed_at = removal.at;
      // a new seat of a bulk load is queued (its key, now taken, meets a later line with it)
      if (!existing && up.bulkMode) return yield* up.queue(line, rec);
      const { outcome, id } = yield* up.write(line, existing, rec);
      // a later line with the same key meets this seat (and is refused as its duplicate)
      if (!existing) seats.add(sub.id as number, contact, { ...rec, id });
      return outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        ctx.notes?.push(...(await up.finish()));
        return [];
      },
    };
  },
};
