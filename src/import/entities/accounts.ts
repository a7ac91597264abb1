/**
 * accounts.csv: key external_id. Groups named are created; managers must exist; a parent may come later
 * in the file (resolved at the end), cycles are refused; custom field columns fill the defined fields.
 *
 * A large file into a table that is not much larger is bulk-loaded, as contacts are (src/import/bulk/load.ts):
 * keys checked in memory, new rows in multi-row INSERTs on SQLite and COPY on PostgreSQL, where a round
 * trip a row made 100,000 accounts take ≈ 26 s. Then the custom field values are written after the rows
 * (each account is written once by a file, so no row reads what another row wrote), and the parents named
 * later in the file are set after the indexes are back.
 */
import { loadFieldDefs, type LoadedDef } from '../../accounts/custom-fields.js';
import { ACCOUNT_FIELDS } from '../../accounts/fields.js';
import { accountRowProblems, coerceCustomValue, missingRequiredFields, PARENT_CYCLE, selfParentProblem } from '../../accounts/rules.js';
import { missingFields } from '../../lib/checks.js';
import { withDefaults, type FieldSpec } from '../../lib/fields.js';
import { foldKey } from '../../lib/keys.js';
import { FORMATS } from '../../formats/catalog.js';
import { toIsoDate } from '../cells.js';
import type { RowProblem } from '../errors.js';
import { run, wait, type AnyStatements, type Row, type Step } from '../statements.js';
import { SelfReferences } from './chains.js';
import { bulkWhenLarge, coerceRow, requireKeys, stored, Upserter } from './common.js';
import type { EntityDef, FileInfo, ImportContext, RowIn, RowResult } from './types.js';

const COLUMNS = [
  'external_id',
  'external_id_key',
  'name',
  'type',
  'status',
  'group_id',
  'parent_id',
  'country',
  'region',
  'registration_no',
  'student_count',
  'locale',
  'manager_id',
  'customer_emails',
];
/** An accounts row is ≈ 60 bytes; guessing fewer rows than there are keeps small imports off the bulk path. */
const ROW_BYTES = 96;
/** Custom field values written by one statement (3 parameters each). */
const VALUES_PER_STATEMENT = 500;
const PLAIN = ['name', 'type', 'status', 'country', 'region', 'registration_no', 'student_count', 'locale', 'customer_emails'];

async function customSpecs(statements: AnyStatements): Promise<FieldSpec[]> {
  return (await loadFieldDefs(statements.db)).map((d) => ({
    name: d.name,
    type: 'text',
    description: `custom field (${d.type}${d.required ? ', required' : ''})`,
  }));
}

export const accounts: EntityDef = {
  name: 'accounts',
  columns: async (statements) => [...ACCOUNT_FIELDS, ...(await customSpecs(statements))],
  required: FORMATS.accounts.required,
  checksAtEnd: true,
  async open(ctx: ImportContext, _columns, file: FileInfo) {
    const { statements } = ctx;
    const defs = await loadFieldDefs(statements.db);
    const up = new Upserter(ctx, 'accounts', COLUMNS);
    const byKey = statements.getter(statements.db.selectFrom('accounts').selectAll().where('external_id_key', '=', ''));
    await bulkWhenLarge(ctx, up, file, ROW_BYTES, ['external_id_key']);
    const bulk = up.bulkMode;
    /** The stored account with this key (folded): in memory while bulk-loading, else a query. */
    const findAccount = bulk ? (key: string) => up.findByKey([key]) : byKey;
    // a file names a few managers and groups many times: each looked up once
    const managerId = statements.getter(statements.db.selectFrom('managers').select(['id']).where('login', '=', ''));
    const managers = new Map<string, number>();
    const managerLogin = statements.getter(statements.db.selectFrom('managers').select(['login']).where('id', '=', 0));
    const logins = new Map<number, string>();
    const groupId = statements.getter(statements.db.selectFrom('account_groups').select(['id']).where('name_key', '=', ''));
    const groups = new Map<string, number>();
    const addGroup = statements.inserter('account_groups', ['name', 'name_key', 'import_batch_id', 'created_at']);
    const fieldValues = statements.all(
      statements.db.selectFrom('account_field_values').select(['field_id', 'value']).where('account_id', '=', 0),
    );
    const upsertValues = (values: { account_id: number; field_id: number; value: string }[]) =>
      statements.db
        .insertInto('account_field_values')
        .values(values)
        .onConflict((oc) => oc.columns(['account_id', 'field_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })));
    const setValue = statements.run(upsertValues([{ account_id: 0, field_id: 0, value: '' }]));
    /** Bulk mode: the custom field values to write after the rows (account, field, value). */
    const laterValues: { account_id: number; field_id: number; value: string }[] = [];
    const parents = new SelfReferences(ctx, up.touched, {
      table: 'accounts',
      column: 'parent_external_id',
      stored: 'parent_id',
      unresolved: 'no account with this external_id (in the database or this file)',
      cycle: PARENT_CYCLE,
      byKey,
      linkOf: statements.getter(statements.db.selectFrom('accounts').select(['external_id', 'parent_id']).where('id', '=', 0)),
    });

    function* storedFields(accountId: number): Step<Map<number, string>> {
      const rows = (yield* wait(fieldValues(accountId))) as { field_id: number; value: string }[];
      return new Map(rows.map((r) => [r.field_id, r.value]));
    }

    function customValues(text: RowIn['text'], problems: RowProblem[]): Map<LoadedDef, string> {
      const given = new Map<LoadedDef, string>();
      for (const d of defs) {
        const t = text[d.name];
        if (t === undefined) continue;
        const r = coerceCustomValue(d.type, d.type === 'date' ? toIsoDate(t, ctx.dateFormat) : t);
        if (!r.ok) problems.push({ field: d.name, value: t, rule: r.rule });
        else if (r.value !== null) given.set(d, r.value);
      }
      return given;
    }

    function* ensureGroup(name: string): Step<number> {
      const key = foldKey(name);
      const known = groups.get(key);
      if (known !== undefined) return known;
      const found = yield* wait(groupId(key));
      const id = found ? (found.id as number) : yield* wait(addGroup([name, key, ctx.batch.id, ctx.op.now]));
      if (!found) ctx.batch.noteInsert('account_groups', id);
      groups.set(key, id);
      return id;
    }

    /** Whether the group named (if any) is another than the account's, without creating it. */
    function* groupDiffers(name: unknown, existing: Row): Step<boolean> {
      if (typeof name !== 'string') return false;
      const key = foldKey(name);
      const id = groups.get(key) ?? ((yield* wait(groupId(key)))?.id as number | undefined);
      return id !== existing.group_id;
    }

    function* row({ line, text }: RowIn): Step<RowResult> {
      const { values, problems } = coerceRow(ACCOUNT_FIELDS, text, ctx.dateFormat);
      problems.unshift(...requireKeys(text, FORMATS.accounts.rowKey));
      const given = customValues(text, problems);
      if (problems.length > 0) return problems;
      const extId = values.external_id as string;
      const key = foldKey(extId);
      const existing = yield* wait(findAccount(key));
      const pre = up.precheck(existing, { field: 'external_id', value: extId, what: 'same external_id' });
      if (pre === 'skip') return up.skip(existing!, line);
      if (pre) return pre;

      const plain = existing ? values : withDefaults(ACCOUNT_FIELDS, values);
      const rec: Row = {};
      for (const f of ACCOUNT_FIELDS) if (PLAIN.includes(f.name)) rec[f.name] = stored(f, plain[f.name]);
      if (!existing) {
        rec.external_id = extId;
        rec.external_id_key = key;
        problems.push(...missingFields(ACCOUNT_FIELDS, values));
      }
      const login = values.manager_login as string | undefined;
      if (login !== undefined) {
        let m = managers.get(login);
        if (m === undefined) {
          m = (yield* wait(managerId(login)))?.id as number | undefined;
          if (m !== undefined) managers.set(login, m);
        }
        if (m !== undefined) rec.manager_id = m;
        else
          problems.push({
            field: 'manager_login',
            value: text.manager_login!,
            rule: 'no manager with this login (in the database or the managers imported with it)',
          });
      }
      const type = (rec.type ?? existing?.type) as string | undefined;
      const manager = rec.manager_id !== undefined ? rec.manager_id : existing?.manager_id;
      if (type === 'tutor' && manager !== null && manager !== undefined) {
        let shown = login ?? logins.get(manager as number);
        if (shown === undefined) {
          shown = (yield* wait(managerLogin(manager)))?.login as string;
          logins.set(manager as number, shown);
        }
        problems.push(...accountRowProblems({ type, manager_login: shown }));
      }
      const parentText = values.parent_external_id as string | undefined;
      let parentPending = false;
      const parentKey = parentText === undefined ? undefined : foldKey(parentText);
      if (parentKey !== undefined) {
        const own = selfParentProblem(key, parentText!, parentKey);
        if (own) problems.push(own);
        else {
          const p = yield* wait(findAccount(parentKey));
          if (p) rec.parent_id = p.id;
          else parentPending = true;
        }
      }
      const before = existing ? yield* storedFields(existing.id as number) : new Map<number, string>();
      const merged: Record<string, string> = {};
      for (const d of defs) {
        const v = given.get(d) ?? before.get(d.id);
        if (v !== undefined) merged[d.name] = v;
      }
      const missing = missingRequiredFields(defs, merged, problems);
      const customChanged = [...given].some(([d, v]) => before.get(d.id) !== v);
      // an account stored without a field made required after it, and a row that changes nothing (the
      // account's own export): unchanged, as the stored account is; a row that changes it must set the field
      const keptAsStored =
        missing.length > 0 &&
        problems.length === 0 &&
        existing !== undefined &&
        !customChanged &&
        !parentPending &&
        !up.differs(existing, rec) &&
        !(yield* groupDiffers(values.group, existing));
      if (!keptAsStored) problems.push(...missing);
      if (problems.length > 0) return problems;

      if (values.group !== undefined) rec.group_id = yield* ensureGroup(values.group as string);
      const { outcome, id } = yield* up.write(line, existing, rec, customChanged || parentPending, () => ({
        ...existing!,
        __fields: Object.fromEntries(before),
      }));
      for (const [d, v] of given) {
        if (before.get(d.id) === v) continue;
        if (bulk) laterValues.push({ account_id: id, field_id: d.id, value: v });
        else yield* wait(setValue([id, d.id, v]));
      }
      if (parentText !== undefined) parents.note(id, line, parentText, parentKey!, parentPending, existing, outcome);
      return outcome;
    }

    return {
      row: (r: RowIn) => run(row(r)),
      async finish() {
        // the rows in, the indexes back; then what waited for them
        ctx.notes?.push(...(await up.finish()));
        for (let i = 0; i < laterValues.length; i += VALUES_PER_STATEMENT)
          await upsertValues(laterValues.slice(i, i + VALUES_PER_STATEMENT)).execute();
        laterValues.length = 0;
        return parents.finish();
      },
      refusedWithout: (excluded) => parents.refusedWithout(excluded),
    };
  },
};
