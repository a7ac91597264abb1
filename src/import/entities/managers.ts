/** managers.csv: key login; email and employee_id unique against the database and the file. */
import { foldKey } from '../../lib/keys.js';
import { MANAGER_FIELDS } from '../../managers/fields.js';
import type { RowProblem } from '../errors.js';
import type { Row } from '../statements.js';
import { FORMATS } from '../catalog.js';
import { coerceRow, requireKeys, stored, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn } from './types.js';

const COLUMNS = ['login', 'name', 'email', 'email_key', 'employee_id', 'phone', 'mobile', 'region', 'status'];

export const managers: EntityDef = {
  name: 'managers',
  columns: async () => [...MANAGER_FIELDS],
  required: FORMATS.managers.required,
  async open(ctx: ImportContext) {
    const { statements } = ctx;
    const up = new Upserter(ctx, 'managers', COLUMNS);
    const byLogin = statements.getter(statements.db.selectFrom('managers').selectAll().where('login', '=', ''));
    const byEmail = statements.getter(statements.db.selectFrom('managers').select(['id', 'login']).where('email_key', '=', ''));
    const byEmployee = statements.getter(statements.db.selectFrom('managers').select(['id', 'login']).where('employee_id', '=', ''));

    function uniqueProblems(values: Row, selfId: number | undefined): RowProblem[] {
      const problems: RowProblem[] = [];
      for (const [field, find] of [['email', byEmail], ['employee_id', byEmployee]] as const) {
        const v = values[field];
        if (v === undefined || v === null) continue;
        const other = find(field === 'email' ? foldKey(v as string) : v);
        if (other && other.id !== selfId) {
          const line = up.touched.get(other.id as number);
          const where = line !== undefined ? ` (line ${line})` : '';
          problems.push({ column: field, value: String(v), rule: `is already used by manager ${String(other.login)}${where}` });
        }
      }
      return problems;
    }

    return {
      row({ line, text }: RowIn) {
        const keyProblems = requireKeys(text, ['login']);
        const { values, problems } = coerceRow(MANAGER_FIELDS, text, ctx.dateFormat);
        if (keyProblems.length > 0 || problems.length > 0) return [...keyProblems, ...problems];
        const login = values.login as string;
        const existing = byLogin(foldKey(login));
        const pre = up.precheck(existing, { column: 'login', value: text.login!, what: 'same login' });
        if (pre === 'skip') return up.skip(existing!, line);
        if (pre) return pre;
        const rec: Row = {};
        for (const spec of MANAGER_FIELDS) rec[spec.name] = stored(spec, values[spec.name]);
        if (typeof rec.email === 'string') rec.email_key = foldKey(rec.email);
        if (existing) delete rec.login;
        else {
          const missing = ['name', 'email'].filter((f) => rec[f] === undefined);
          if (missing.length > 0) return missing.map((f) => ({ column: f, value: '', rule: 'is required for a new manager' }));
          rec.status ??= 'active';
        }
        const unique = uniqueProblems(rec, existing?.id as number | undefined);
        if (unique.length > 0) return unique;
        return up.write(line, existing, rec).outcome;
      },
      async finish() {
        return [];
      },
    };
  },
};
