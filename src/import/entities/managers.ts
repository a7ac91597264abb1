/** managers.csv: key login; email and employee_id unique against the database and the file. */
import { missingFields } from '../../lib/checks.js';
import { withDefaults } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { takenProblem } from '../../managers/checks.js';
import { MANAGER_FIELDS } from '../../managers/fields.js';
import type { RowProblem } from '../errors.js';
import { FORMATS } from '../../formats/catalog.js';
import { run, wait, type Row, type Step } from '../statements.js';
import { coerceRow, requireKeys, stored, Upserter } from './common.js';
import type { EntityDef, ImportContext, RowIn, RowResult } from './types.js';

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

    // the login is the file's key: a second row with it is a duplicate line, not a taken login
    const holders = { email: (v: string) => byEmail(foldKey(v)), employee_id: (v: string) => byEmployee(v) };

    function* uniqueProblems(values: Row, selfId: number | undefined): Step<RowProblem[]> {
      const problems: RowProblem[] = [];
      for (const field of ['email', 'employee_id'] as const) {
        const v = values[field] as string | null | undefined;
        const other = v === undefined || v === null ? undefined : yield* wait(holders[field](v));
        if (other && other.id !== selfId) problems.push(takenProblem(field, v, String(other.login), up.touched.get(other.id as number)));
      }
      return problems;
    }

    function* steps({ line, text }: RowIn): Step<RowResult> {
      const keyProblems = requireKeys(text, FORMATS.managers.rowKey);
      const { values, problems } = coerceRow(MANAGER_FIELDS, text, ctx.dateFormat);
      if (keyProblems.length > 0 || problems.length > 0) return [...keyProblems, ...problems];
      const login = values.login as string;
      const existing = yield* wait(byLogin(foldKey(login)));
      const pre = up.precheck(existing, { field: 'login', value: text.login!, what: 'same login' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;
      const missing = existing ? [] : missingFields(MANAGER_FIELDS, values);
      if (missing.length > 0) return missing;
      const given = existing ? values : withDefaults(MANAGER_FIELDS, values);
      const rec: Row = {};
      for (const spec of MANAGER_FIELDS) rec[spec.name] = stored(spec, given[spec.name]);
      if (typeof rec.email === 'string') rec.email_key = foldKey(rec.email);
      if (existing) delete rec.login;
      const unique = yield* uniqueProblems(rec, existing?.id as number | undefined);
      if (unique.length > 0) return unique;
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
