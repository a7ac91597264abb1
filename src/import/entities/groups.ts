/** groups.csv: one column, the group name (a key, compared by its fold; the spelling is kept). */
import { GROUP_FIELDS } from '../../accounts/fields.js';
import { foldKey } from '../../lib/keys.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Step } from '../statements.js';
import { coerceRow, requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

export const groups: EntityDef = {
  name: 'groups',
  columns: async () => [...GROUP_FIELDS],
  required: FORMATS.groups.required,
  async open(ctx: ImportContext) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'account_groups', ['name', 'name_key'], { created: true, updated: false });
    const byName = statements.getter(statements.db.selectFrom('account_groups').selectAll().where('name_key', '=', ''));
    function* steps({ line, text }: RowIn): Step<RowResult> {
      const keyProblems = requireKeys(text, FORMATS.groups.rowKey);
      if (keyProblems.length > 0) return keyProblems;
      const { values, problems } = coerceRow(GROUP_FIELDS, text, ctx.dateFormat);
      if (problems.length > 0) return problems;
      const name = values.name as string;
      const key = foldKey(name);
      const existing = yield* wait(byName(key));
      const pre = up.precheck(existing, { field: 'name', value: name, what: 'same group name' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      return (yield* up.write(line, existing, existing ? {} : { name, name_key: key })).outcome;
    }

    return {
      row: (r: RowIn) => run(steps(r)),
      async finish() {
        return [];
      },
    };
  },
};
