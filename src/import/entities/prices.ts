/**
 * prices.csv: key plan + max_students + term_months (an empty max_students is the "any number" row,
 * part of the key); amount in the money format. The same rules as `plans price`.
 */
import { sql as raw } from '#kysely';
import { PRICE_FIELDS } from '../../plans/fields.js';
import { checkPrice } from '../../plans/checks.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Step } from '../statements.js';
import { cached, checked, givenText, requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

export const prices: EntityDef = {
  name: 'prices',
  columns: async () => [...PRICE_FIELDS],
  required: FORMATS.prices.required,
  async open(ctx: ImportContext) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'plan_prices', ['plan_id', 'max_students', 'term_months', 'amount_cents']);
    const plan = cached(statements.getter(statements.db.selectFrom('plans').select(['id', 'code']).where('code_key', '=', '')));
    const byKey = statements.getter(
      statements.db
        .selectFrom('plan_prices')
        .selectAll()
        .where('plan_id', '=', 0)
        .where(raw<number>`coalesce(max_students, -1)`, '=', 0)
        .where('term_months', '=', 0),
    );
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const keyProblems = requireKeys(text, FORMATS.prices.rowKey);
      if (keyProblems.length > 0) return keyProblems;
      const v = checked(() => checkPrice(givenText(text)));
      if (Array.isArray(v)) return v;
      const p = yield* wait(plan(v.plan));
      if (!p) return [{ field: 'plan', value: text.plan!, rule: 'no plan with this code (in the database or the plans imported with it)' }];
      const existing = yield* wait(byKey(p.id, v.max_students ?? -1, v.term_months));
      const what = 'same plan + max_students + term_months';
      const pre = up.precheck(existing, { field: 'plan', value: text.plan!, what });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      const rec = existing
        ? { amount_cents: v.amount_cents }
        : { plan_id: p.id, max_students: v.max_students, term_months: v.term_months, amount_cents: v.amount_cents };
      return (yield* up.write(line, existing, rec)).outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        return [];
      },
    };
  },
};
