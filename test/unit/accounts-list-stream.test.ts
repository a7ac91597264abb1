/**
 * `accounts list` writes its accounts as they are read (accountBatches: the ids in their order first, then the
 * records 500 at a time with their custom fields), as the other lists do (test/unit/lists-stream.test.ts). The
 * order and the filters are checked against a reference written here from the records alone (every account
 * read whole, filtered and sorted by the documented rules: keys by their folds, other text by foldKey, empty
 * first ascending and last descending, the external id breaking ties), over more accounts than a batch holds;
 * every format's bytes against the reference rendered at once.
 */
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { defineField } from '../../src/accounts/custom-fields.js';
import { listAccounts, type AccountFilter } from '../../src/accounts/query.js';
import { accountQuery, toRecords, type AccountRecord } from '../../src/accounts/record.js';
import { addAccount } from '../../src/accounts/service.js';
import { LIST_COLUMNS, LIST_FIELDS } from '../../src/commands/accounts.js';
import { foldKey } from '../../src/lib/keys.js';
import { renderList, type Format, type Rec } from '../../src/output/render.js';
import { runCli } from '../helpers/cli.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const ROWS = 1_200;
const NOW = '2026-11-25T09:00:00Z';
const n = sql.lit(ROWS);
const op = testOp();

const t = eachTestDb(async (t) => {
  await t.seed.manager('anna');
  await t.seed.manager('ben');
  await defineField(t.db, op, { name: 'crm_id', type: 'text' });
  await defineField(t.db, op, { name: 'seats', type: 'number' });
  // the groups, and accounts whose keys and names need the Unicode fold, through the service
  const add = (external_id: string, name: string, extra: Record<string, unknown> = {}) =>
    addAccount(t.db, op, { external_id, name, type: 'school', ...extra });
  await add('УЧ-Б', 'Средно училище „Иван Вазов“', {
    group: 'Варна',
    manager_login: 'anna',
    country: 'България',
    fields: { crm_id: 'Ж-1' },
  });
  await add('уч-а', 'СРЕДНО УЧИЛИЩЕ 2', { group: 'sofia', region: 'Север', student_count: 300 });
  await add('Ärzte-1', 'Ärztekammer', { type: 'company', group: 'Plovdiv', registration_no: 'DE-77', locale: 'de' });
  // many more, made by the database in no order of any sort key: ties, empty values, parents, both managers
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
    insert into accounts (external_id, external_id_key, name, type, status, group_id, country, region, registration_no, student_count,
      locale, manager_id, customer_emails, created_at, updated_at)
    select 'A-' || (i * 7919 % ${n}), 'a-' || (i * 7919 % ${n}),
      case i % 4 when 0 then 'school ' || (i % 50) when 1 then 'School ' || (i % 50) when 2 then 'Училище ' || (i % 30) else 'Zeta' end,
      case when i % 6 = 0 then 'company' else 'school' end, case when i % 11 = 0 then 'deactivated' else 'active' end,
      (select g.id from (select id, row_number() over (order by id) as k from account_groups) g where g.k = i % 4),
      case i % 5 when 0 then null when 1 then 'BG' when 2 then 'bg' when 3 then 'Polska' else 'България' end,
      case when i % 3 = 0 then null else 'R' || (i % 7) end, case when i % 2 = 0 then 'RN-' || (i % 13) end,
      case when i % 8 = 0 then null else (i % 17) * 10 end, case when i % 9 = 0 then null else 'bg' end,
      (select m.id from (select id, row_number() over (order by id) as k from managers) m where m.k = i % 3), i % 2, ${NOW}, ${NOW}
    from n`.execute(t.db);
  await sql`update accounts set parent_id = (select min(p.id) from accounts p where p.external_id_key = 'уч-а')
    where external_id_key like 'a-%' and id % 10 = 0`.execute(t.db);
  await sql`insert into account_field_values (account_id, field_id, value)
    select a.id, f.id, case when f.name = 'crm_id' then 'C-' || a.id else '' || (a.id % 40) end
    from accounts a cross join custom_fields f where a.id % 3 = 0 and (f.name = 'crm_id' or a.id % 2 = 0)`.execute(t.db);
});

type Key = string | number | null;
const folded = (v: string | null) => (v === null ? null : foldKey(v));
/** Each sort field's key as the documentation states it (accounts.md), from the record alone. */
const SORT_KEY: Record<string, (r: AccountRecord) => Key> = {
  external_id: (r) => foldKey(r.external_id),
  name: (r) => foldKey(r.name),
  type: (r) => r.type,
  status: (r) => r.status,
  group: (r) => folded(r.group),
  parent_external_id: (r) => folded(r.parent_external_id),
  country: (r) => folded(r.country),
  region: (r) => folded(r.region),
  registration_no: (r) => folded(r.registration_no),
  student_count: (r) => r.student_count,
  locale: (r) => folded(r.locale),
  manager_login: (r) => r.manager_login,
  customer_emails: (r) => (r.customer_emails ? 1 : 0),
};

const order = (a: Key, b: Key) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** The reference: every account read whole, then the filter and the order applied here. */
async function reference(f: AccountFilter): Promise<AccountRecord[]> {
  let all = await toRecords(t.db, await accountQuery(t.db).execute());
  if (f.type) all = all.filter((r) => r.type === f.type);
  if (f.manager) all = all.filter((r) => r.manager_login === f.manager);
  if (f.group) all = all.filter((r) => folded(r.group) === foldKey(f.group!));
  if (f.search) {
    const s = foldKey(f.search);
    all = all.filter((r) => [r.name, r.external_id, r.registration_no].some((v) => v !== null && foldKey(v).includes(s)));
  }
  const key = SORT_KEY[f.sort ?? 'external_id']!;
  const sign = f.desc ? -1 : 1;
  all.sort((a, b) => sign * (order(key(a), key(b)) || order(foldKey(a.external_id), foldKey(b.external_id))));
  return f.limit === undefined ? all : all.slice(0, f.limit);
}

const CASES: [string[], AccountFilter][] = [
  [[], {}],
  [['--sort', 'name'], { sort: 'name' }],
  [['--sort', 'name', '--desc', '--limit', '700'], { sort: 'name', desc: true, limit: 700 }],
  [['--sort', 'country'], { sort: 'country' }],
  [['--sort', 'region', '--desc'], { sort: 'region', desc: true }],
  [['--sort', 'registration_no', '--type', 'school'], { sort: 'registration_no', type: 'school' }],
  [['--sort', 'locale', '--desc'], { sort: 'locale', desc: true }],
  [['--sort', 'group', '--desc'], { sort: 'group', desc: true }],
  [['--sort', 'parent_external_id'], { sort: 'parent_external_id' }],
  [['--sort', 'manager_login', '--desc'], { sort: 'manager_login', desc: true }],
  [['--sort', 'student_count', '--desc', '--limit', '600'], { sort: 'student_count', desc: true, limit: 600 }],
  [['--sort', 'customer_emails'], { sort: 'customer_emails' }],
  [['--search', 'УЧИЛИЩЕ', '--sort', 'name', '--limit', '250'], { search: 'УЧИЛИЩЕ', sort: 'name', limit: 250 }],
  [['--search', 'SCHOOL', '--sort', 'student_count', '--limit', '550'], { search: 'SCHOOL', sort: 'student_count', limit: 550 }],
  [['--search', 'a-1'], { search: 'a-1' }],
  [['--manager', 'anna', '--group', 'ВАРНА'], { manager: 'anna', group: 'ВАРНА' }],
];

describe('accounts list streams', () => {
  it('every sort, filter and format: the bytes of the reference list rendered at once', async () => {
    for (const [args, filter] of CASES) {
      const expected = await reference(filter);
      expect(
        (await listAccounts(t.db, op, filter)).map((r) => r.external_id),
        args.join(' '),
      ).toEqual(expected.map((r) => r.external_id));
      for (const [format, flag] of [
        ['json', ['--json']],
        ['csv', ['--format', 'csv']],
        ['table', []],
      ] as const) {
        const r = await runCli(['accounts', 'list', ...args, ...flag], { db: t.path });
        expect(r.code, `${args.join(' ')} ${format}: ${r.stderr}`).toBe(0);
        const whole = renderList(expected as unknown as Rec[], format as Format, {
          color: false,
          terminal: false,
          wide: false,
          columns: LIST_COLUMNS,
          fields: LIST_FIELDS,
        });
        expect(r.stdout, `accounts list ${args.join(' ')} ${format}`).toBe(whole);
      }
    }
    // the data is what the cases need: more accounts than a batch, custom fields in the CSV, ties and empty values
    const all = await reference({});
    expect(all.length).toBe(ROWS + 3);
    expect(all.filter((r) => r.fields.crm_id !== null).length).toBeGreaterThan(ROWS / 4);
    expect((await reference({ search: 'УЧИЛИЩЕ' })).length).toBeGreaterThan(250);
    expect((await reference({ search: 'SCHOOL' })).length).toBeGreaterThan(550);
    expect(all.filter((r) => r.parent_external_id === 'уч-а').length).toBeGreaterThan(0);
  });

  it('a bad filter is refused before anything is written', async () => {
    for (const args of [
      ['--sort', 'colour'],
      ['--type', 'teacher'],
      ['--manager', 'nobody'],
      ['--group', 'Nowhere'],
      ['--limit', '0'],
      ['--inactive-since', '2026-02-30'],
    ]) {
      const r = await runCli(['accounts', 'list', ...args, '--format', 'csv'], { db: t.path });
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBeGreaterThan(0);
    }
  });
});
