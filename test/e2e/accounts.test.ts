import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { snapshotTables } from '../helpers/raw.js';

let db: string;
const run = (args: string[], input?: string) => runCli(args, { db, input });
const json = <T = Record<string, unknown>>(args: string[]) => runJson<T>(args, { db });

/** Every row of the tables these commands touch, read directly, to prove a refused command changed nothing. */
function snapshot(): Promise<string> {
  return snapshotTables(db, [
    'accounts',
    'account_groups',
    'custom_fields',
    'account_field_values',
    'contacts',
    'subscriptions',
    'audit_log',
  ]);
}

async function ok(args: string[]): Promise<void> {
  const r = await run(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
}

/** Each test starts from one of these (its own copy): managers; then the custom fields; then three accounts. */
const given = dbFiles();
const withManagers = given.template(async (at) => {
  db = at;
  for (const login of ['anna', 'ben'])
    await ok([
      'managers',
      'add',
      '--login',
      login,
      '--name',
      login.toUpperCase(),
      '--email',
      `${login}@vendor.example`,
      '--phone',
      '+359 1',
    ]);
});
const withFields = given.template(async (at) => {
  db = at;
  await ok(['fields', 'define', 'crm_id', '--type', 'text']);
  await ok(['fields', 'define', 'seats', '--type', 'number']);
  await ok(['fields', 'define', 'vip', '--type', 'bool', '--required']);
}, withManagers);
/** SCH-1 (anna, group Sofia, every detail) with its sub-account SCH-1A, and a guest account. */
const withAccounts = given.template(async (at) => {
  db = at;
  await ok([
    'accounts',
    'add',
    '--external-id',
    'SCH-1',
    '--name',
    'Средно училище 12',
    '--type',
    'school',
    '--group',
    'Sofia',
    '--manager-login',
    'ANNA',
    '--student-count',
    '420',
    '--registration-no',
    '0012',
    '--field',
    'vip=yes',
    '--field',
    'seats=12.50',
  ]);
  await ok(['accounts', 'add', '--name', 'Guest', '--type', 'guest', '--field', 'vip=no']);
  await ok([
    'accounts',
    'add',
    '--external-id',
    'SCH-1A',
    '--name',
    'Branch',
    '--type',
    'school',
    '--parent-external-id',
    'sch-1',
    '--field',
    'vip=0',
  ]);
}, withFields);

describe('acctmgr accounts, groups, fields (end to end)', () => {
  it('fields define/list, with exit 2 for a missing --type and exit 1 for a bad one', async () => {
    db = await withManagers();
    expect(await run(['fields', 'define', 'crm_id', '--type', 'text'])).toMatchObject({ code: 0, stdout: 'crm_id\n' });
    expect(await json(['fields', 'define', 'seats', '--type', 'number'])).toEqual({
      name: 'seats',
      type: 'number',
      required: false,
      account_count: 0,
    });
    expect((await run(['fields', 'define', 'vip', '--type', 'bool', '--required'])).code).toBe(0);
    expect((await run(['fields', 'define', 'nope'])).code).toBe(2);
    const bad = await run(['fields', 'define', 'nope', '--type', 'colour']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('type: "colour": must be one of text, number, date, bool');
    expect((await run(['fields', 'define', 'crm_id', '--type', 'text'])).code).toBe(1);
    const list = await json<{ name: string }[]>(['fields', 'list']);
    expect(list.map((f) => f.name)).toEqual(['crm_id', 'seats', 'vip']);
  });

  it('add prints the key (generated when absent) or the show-shaped record with --json', async () => {
    db = await withFields();
    const a = await run([
      'accounts',
      'add',
      '--external-id',
      'SCH-1',
      '--name',
      'Средно училище 12',
      '--type',
      'school',
      '--group',
      'Sofia',
      '--manager-login',
      'ANNA',
      '--student-count',
      '420',
      '--registration-no',
      '0012',
      '--field',
      'vip=yes',
      '--field',
      'seats=12.50',
    ]);
    expect(a).toMatchObject({ code: 0, stdout: 'SCH-1\n' });
    const gen = await run(['accounts', 'add', '--name', 'Guest', '--type', 'guest', '--field', 'vip=no']);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/^ACC-[0-9A-F]{8}\n$/);
    const sub = await json([
      'accounts',
      'add',
      '--external-id',
      'SCH-1A',
      '--name',
      'Branch',
      '--type',
      'school',
      '--parent-external-id',
      'sch-1',
      '--field',
      'vip=0',
    ]);
    expect(sub).toEqual({
      external_id: 'SCH-1A',
      name: 'Branch',
      type: 'school',
      status: 'active',
      group: null,
      parent_external_id: 'SCH-1',
      country: null,
      region: null,
      registration_no: null,
      student_count: null,
      locale: null,
      manager_login: null,
      customer_emails: true,
      fields: { crm_id: null, seats: null, vip: false },
      parent_name: 'Средно училище 12',
      manager_name: null,
      manager_email: null,
      manager_phone: null,
      manager_mobile: null,
      sub_accounts: [],
      contact_count: 0,
      last_activity: null,
      next_activity: null,
      trainings: [],
    });
  });

  it('show --json has manager details, sub-accounts, typed fields; registration_no stays a string', async () => {
    db = await withAccounts();
    const s = await json(['accounts', 'show', 'sch-1']);
    expect(s).toMatchObject({
      external_id: 'SCH-1',
      group: 'Sofia',
      student_count: 420,
      registration_no: '0012',
      manager_login: 'anna',
      manager_name: 'ANNA',
      manager_email: 'anna@vendor.example',
      manager_phone: '+359 1',
      manager_mobile: null,
      fields: { crm_id: null, seats: 12.5, vip: true },
      sub_accounts: [{ external_id: 'SCH-1A', name: 'Branch', type: 'school', status: 'active' }],
    });
    expect((await run(['accounts', 'show', 'NOPE'])).code).toBe(1);
  });

  it('list filters, --json and --format csv with custom fields as flat columns', async () => {
    db = await withAccounts();
    const keys = async (...args: string[]) =>
      (await json<{ external_id: string }[]>(['accounts', 'list', ...args])).map((a) => a.external_id);
    expect(await keys('--manager', 'anna')).toEqual(['SCH-1']);
    expect(await keys('--group', 'SOFIA')).toEqual(['SCH-1']);
    expect(await keys('--type', 'guest')).toHaveLength(1);
    expect(await keys('--search', 'УЧИЛИЩЕ')).toEqual(['SCH-1']);
    expect(await keys('--search', 'sch', '--sort', 'name', '--desc', '--limit', '1')).toEqual(['SCH-1']);
    const csv = await run(['accounts', 'list', '--format', 'csv', '--search', 'sch-1']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')).toEqual([
      'external_id,name,type,status,group,parent_external_id,country,region,registration_no,student_count,locale,manager_login,customer_emails,crm_id,seats,vip',
      'SCH-1,Средно училище 12,school,active,Sofia,,,,0012,420,,anna,true,,12.5,true',
      'SCH-1A,Branch,school,active,,SCH-1,,,,,,,true,,,false',
      '',
    ]);
    expect((await run(['accounts', 'list', '--type', 'teacher'])).code).toBe(1);
    expect((await run(['accounts', 'list', '--limit', 'ten'])).code).toBe(2);
  });

  it('exit 2 for usage errors, exit 1 for rules; refused commands leave the database unchanged', async () => {
    db = await withAccounts();
    const before = await snapshot();
    const cases: [string[], number, string][] = [
      [['accounts', 'add', '--name', 'X', '--type', 'school', '--student-count', '12.5', '--field', 'vip=1'], 2, 'not a whole number'],
      [['accounts', 'add', '--type', 'school'], 2, '--name'],
      [['accounts', 'add', '--name', 'X', '--type', 'teacher', '--field', 'vip=1'], 1, 'type: "teacher": must be one of'],
      [
        ['accounts', 'add', '--name', 'X', '--type', 'school', '--student-count', '-1', '--field', 'vip=1'],
        1,
        'student_count: "-1": must be at least 0',
      ],
      [
        ['accounts', 'add', '--name', 'X', '--type', 'school', '--manager-login', 'nobody', '--field', 'vip=1'],
        1,
        'manager not found: "nobody"',
      ],
      [
        ['accounts', 'add', '--name', 'X', '--type', 'school', '--field', 'colour=red', '--field', 'vip=1'],
        1,
        'colour: "red": is not a defined custom field',
      ],
      [['accounts', 'add', '--name', 'X', '--type', 'school'], 1, 'vip: "": is a required custom field'],
      [
        ['accounts', 'add', '--name', 'T', '--type', 'tutor', '--manager-login', 'anna', '--field', 'vip=1'],
        1,
        'must be empty for a tutor account',
      ],
      [['accounts', 'add', '--name', 'X', '--type', 'school', '--field', 'vip'], 2, 'NAME=VALUE'],
      [['accounts', 'edit', 'SCH-1', '--parent-external-id', 'SCH-1A'], 1, 'cycle: SCH-1 → SCH-1A → SCH-1'],
      [['accounts', 'edit', 'SCH-1', '--parent-external-id', 'sch-1'], 1, 'cannot be its own parent'],
      [['accounts', 'edit', 'SCH-1', '--type', 'tutor'], 1, 'must be empty for a tutor account'],
      [['accounts', 'edit', 'SCH-1', '--field', 'vip='], 1, 'is a required custom field'],
      [['accounts', 'edit', 'SCH-1'], 2, 'nothing to change'],
      [['accounts', 'remove', 'SCH-1', '--yes'], 1, 'sub-account'],
      [['accounts', 'remove', 'SCH-1A'], 2, '--yes'],
      [['accounts', 'deactivate', 'SCH-1'], 2, '--yes'],
      [['accounts', 'assign', 'SCH-1', 'nobody'], 1, 'manager not found'],
      [['accounts', 'move', 'SCH-1'], 2, '--group'],
      [['groups', 'remove', 'Sofia'], 2, '--yes'],
      [['groups', 'add', 'sofia'], 1, 'already exists'],
    ];
    for (const [args, code, text] of cases) {
      const r = await run(args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
    }
    expect(await snapshot()).toBe(before);
  });

  it('edit, assign, move, deactivate/activate print the key, or the record with --json', async () => {
    db = await withAccounts();
    expect(await run(['accounts', 'edit', 'sch-1', '--region', 'south', '--field', 'crm_id=C-1'])).toMatchObject({
      code: 0,
      stdout: 'SCH-1\n',
    });
    const assigned = await run(['accounts', 'assign', 'SCH-1', 'ben']);
    expect(assigned).toMatchObject({ code: 0, stdout: 'SCH-1\n' });
    expect(assigned.stderr).toContain('0 subscription(s) moved');
    const moved = await json(['accounts', 'move', 'SCH-1', '--group', 'Plovdiv']);
    expect(moved).toMatchObject({
      external_id: 'SCH-1',
      group: 'Plovdiv',
      manager_login: 'ben',
      region: 'south',
      fields: { crm_id: 'C-1' },
    });
    expect(await run(['accounts', 'deactivate', 'SCH-1', '--yes'])).toMatchObject({ code: 0, stdout: 'SCH-1\n' });
    expect(await json<{ external_id: string }[]>(['accounts', 'list', '--status', 'deactivated'])).toHaveLength(1);
    expect(await run(['accounts', 'activate', 'SCH-1'])).toMatchObject({ code: 0, stdout: 'SCH-1\n' });
    const audit = await json<{ action: string; entity: string; actor: string }[]>(['audit', '--entity', 'account', '--key', 'SCH-1']);
    expect(audit.map((a) => a.action)).toEqual(['add', 'edit', 'assign', 'move', 'deactivate', 'activate']);
    const groups = await json<{ action: string; key: string }[]>(['audit', '--entity', 'group']);
    expect(groups.map((g) => `${g.action}:${g.key}`)).toEqual(['add:Sofia', 'add:Plovdiv']);
  });

  it('groups add, list with counts, rename, remove (accounts kept, without a group)', async () => {
    db = await withAccounts();
    await ok(['accounts', 'move', 'SCH-1', '--group', 'Plovdiv']);
    expect(await run(['groups', 'add', 'Varna'])).toMatchObject({ code: 0, stdout: 'Varna\n' });
    expect(await json(['groups', 'list'])).toEqual([
      { name: 'Plovdiv', account_count: 1 },
      { name: 'Sofia', account_count: 0 },
      { name: 'Varna', account_count: 0 },
    ]);
    expect(await run(['groups', 'rename', 'plovdiv', 'Plovdiv City'])).toMatchObject({ code: 0, stdout: 'Plovdiv City\n' });
    expect((await run(['groups', 'list', '--format', 'csv'])).stdout.split('\n')[0]).toBe('name,account_count');
    const rm = await run(['groups', 'remove', 'plovdiv city', '--yes']);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toContain('1 account(s) left without a group');
    expect((await json(['accounts', 'show', 'SCH-1'])).group).toBeNull();
  });

  it('remove deletes an account without sub-accounts or subscriptions', async () => {
    db = await withAccounts();
    const r = await run(['accounts', 'remove', 'SCH-1A', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('removed account SCH-1A');
    expect((await run(['accounts', 'show', 'SCH-1A'])).code).toBe(1);
    expect((await json(['accounts', 'show', 'SCH-1'])).sub_accounts).toEqual([]);
  });
});
