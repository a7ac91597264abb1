/** groups.csv: one column, the group name (key, compared case-insensitively; the stored case is kept). */
import { sql as raw } from 'kysely';
import { GROUP_FIELDS } from '../../accounts/fields.js';
import { FORMATS } from '../catalog.js';
import { requireKeys, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn } from './types.js';

export const groups: EntityDef = {
  name: 'groups',
  columns: async () => [...GROUP_FIELDS],
  required: FORMATS.groups.required,
  async open(ctx: ImportContext) {
    const { sql } = ctx;
    const up = new Upserter(ctx, 'account_groups', ['name'], { created: true, updated: false });
    const byName = sql.getter(sql.db.selectFrom('account_groups').selectAll().where(raw<string>`lower(name)`, '=', ''));
    return {
      row({ line, text }: RowIn) {
        const keyProblems = requireKeys(text, ['name']);
        if (keyProblems.length > 0) return keyProblems;
        const name = text.name!;
        const existing = byName(name.toLowerCase());
        const pre = up.precheck(existing, { column: 'name', value: name, what: 'same group name' });
        if (pre === 'skip') return up.skip(existing!, line);
        if (pre) return pre;
        return up.write(line, existing, existing ? {} : { name }).outcome;
      },
      async finish() {
        return [];
      },
    };
  },
};
