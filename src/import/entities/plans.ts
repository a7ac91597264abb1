/**
 * plans.csv: key code; the product must exist; the same rules as `plans add` (currency, codes, modules). A
 * stored plan keeps its product and currency, as `plans edit` does.
 */
import { limitToStored, withDefaults } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { PLAN_FIELDS } from '../../plans/fields.js';
import { checkPlan, planCurrencyProblem } from '../../plans/checks.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { cached, checked, givenText, requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

const LIMITS = ['sessions_per_week', 'sessions_per_month', 'trainings_per_year'] as const;
const CREDITS = 'included_training_credits';

export const plans: EntityDef = {
  name: 'plans',
  columns: async () => [...PLAN_FIELDS],
  required: FORMATS.plans.required,
  async open(ctx: ImportContext) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'plans', ['code', 'code_key', 'name', 'product_id', 'currency', 'modules', 'legacy', ...LIMITS, CREDITS]);
    const byCode = statements.getter(statements.db.selectFrom('plans').selectAll().where('code_key', '=', ''));
    const product = cached(statements.getter(statements.db.selectFrom('products').select(['id', 'code']).where('code_key', '=', '')));
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const keyProblems = requireKeys(text, FORMATS.plans.rowKey);
      if (keyProblems.length > 0) return keyProblems;
      const existing = yield* wait(byCode(foldKey(text.code!)));
      const checkedValues = checked(() => checkPlan(givenText(text), existing ? 'edit' : 'add'));
      if (Array.isArray(checkedValues)) return checkedValues;
      const v = existing ? checkedValues : (withDefaults(PLAN_FIELDS, checkedValues) as typeof checkedValues);
      const pre = up.precheck(existing, { field: 'code', value: text.code!, what: 'same code' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      if (existing && v.currency !== undefined) {
        const changed = planCurrencyProblem(text.currency!, v.currency, existing.currency as string);
        if (changed) return [changed];
      }
      const rec: Row = { name: v.name, currency: v.currency };
      if (v.modules !== undefined) rec.modules = v.modules.join(';');
      if (v.legacy !== undefined) rec.legacy = v.legacy ? 1 : 0;
      for (const l of LIMITS) if (v[l] !== undefined) rec[l] = limitToStored(v[l]);
      if (v[CREDITS] !== undefined) rec[CREDITS] = v[CREDITS];
      if (v.product !== undefined) {
        const p = yield* wait(product(v.product));
        if (!p)
          return [
            {
              field: 'product',
              value: text.product!,
              rule: 'no product with this code (in the database or the products imported with it)',
            },
          ];
        if (existing && existing.product_id !== p.id) {
          return [
            { field: 'product', value: text.product!, rule: "differs from the plan's product: a plan cannot move to another product" },
          ];
        }
        rec.product_id = p.id;
      }
      if (!existing) {
        rec.code = v.code;
        rec.code_key = foldKey(v.code!);
      }
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
