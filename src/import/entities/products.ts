/** products.csv: key code; the same code rules as `products add`. */
import { foldKey } from '../../lib/keys.js';
import { PRODUCT_FIELDS } from '../../plans/fields.js';
import { checkProduct } from '../../plans/checks.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Step } from '../statements.js';
import { checked, givenText, requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

export const products: EntityDef = {
  name: 'products',
  columns: async () => [...PRODUCT_FIELDS],
  required: FORMATS.products.required,
  async open(ctx: ImportContext) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'products', ['code', 'code_key', 'name']);
    const byCode = statements.getter(statements.db.selectFrom('products').selectAll().where('code_key', '=', ''));
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const keyProblems = requireKeys(text, FORMATS.products.rowKey);
      if (keyProblems.length > 0) return keyProblems;
      const existing = yield* wait(byCode(foldKey(text.code!)));
      const values = checked(() => checkProduct(givenText(text), existing ? 'edit' : 'add'));
      if (Array.isArray(values)) return values;
      const pre = up.precheck(existing, { field: 'code', value: text.code!, what: 'same code' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      return (yield* up.write(
        line,
        existing,
        existing ? { name: values.name } : { code: values.code, code_key: foldKey(values.code!), name: values.name },
      )).outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        return [];
      },
    };
  },
};
