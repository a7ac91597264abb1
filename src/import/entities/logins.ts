/**
 * logins.csv: login events, key subscription_external_id + email + at; the seat must exist. An event
 * already stored is unchanged. Seats' and contacts' last_login_at move forward to the latest event
 * (never back); the seat's status is left as it is (history, not a new login).
 */
import { foldKey } from '../../lib/keys.js';
import { LOGIN_FIELDS } from '../../seats/fields.js';
import { FORMATS } from '../../formats/catalog.js';
import { isPromise, run, wait, type Step } from '../statements.js';
import { cached, coerceRow, requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

export const logins: EntityDef = {
  name: 'logins',
  columns: async () => [...LOGIN_FIELDS],
  required: FORMATS.logins.required,
  async open(ctx: ImportContext) {
    const { statements, batch } = ctx;
    const up = new Upserter(ctx, 'login_events', ['seat_id', 'at'], { created: false, updated: false });
    const subscription = cached(
      statements.getter(statements.db.selectFrom('subscriptions').select(['id', 'account_id']).where('external_id_key', '=', '')),
    );
    const seat = statements.getter(
      statements.db
        .selectFrom('seats as s')
        .innerJoin('contacts as c', 'c.id', 's.contact_id')
        .select(['s.id', 's.contact_id'])
        .where('s.subscription_id', '=', 0)
        .where('c.account_id', '=', 0)
        .where('c.email_key', '=', ''),
    );
    const byKey = statements.getter(statements.db.selectFrom('login_events').selectAll().where('seat_id', '=', 0).where('at', '=', ''));
    const latestSeat = new Map<number, string>();
    const latestContact = new Map<number, string>();
    const raise = (m: Map<number, string>, id: number, at: string) => {
      const cur = m.get(id);
      if (cur === undefined || at > cur) m.set(id, at);
    };
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const { values: v, problems } = coerceRow(LOGIN_FIELDS, text, ctx.dateFormat);
      problems.unshift(...requireKeys(text, FORMATS.logins.rowKey));
      if (problems.length > 0) return problems;
      const sub = yield* wait(subscription(v.subscription_external_id as string));
      if (!sub)
        return [
          { field: 'subscription_external_id', value: text.subscription_external_id!, rule: 'no subscription with this external_id' },
        ];
      const st = yield* wait(seat(sub.id, sub.account_id, foldKey(v.email as string)));
      if (!st)
        return [
          {
            field: 'email',
            value: text.email!,
            rule: `has no seat on subscription ${text.subscription_external_id} (import it in seats.csv first)`,
          },
        ];
      const at = v.at as string;
      const existing = yield* wait(byKey(st.id, at));
      const pre = up.precheck(existing, { field: 'at', value: text.at!, what: 'same subscription_external_id + email + at' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      raise(latestSeat, st.id as number, at);
      raise(latestContact, st.contact_id as number, at);
      return (yield* up.write(line, existing, existing ? {} : { seat_id: st.id, at })).outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        for (const [table, latest] of [
          ['seats', latestSeat],
          ['contacts', latestContact],
        ] as const) {
          const get = statements.byId(table);
          const set = statements.updater(table, ['last_login_at', 'updated_at']);
          for (const [id, at] of latest) {
            const row = (await get(id))!;
            if (row.last_login_at !== null && (row.last_login_at as string) >= at) continue;
            await batch.beforeUpdate(table, row);
            const done = set(id, [at, ctx.op.now]);
            if (isPromise(done)) await done;
          }
        }
        return [];
      },
    };
  },
};
