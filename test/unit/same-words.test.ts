/**
 * One rule, one wording: the same bad input given on the command line and in a CSV import is refused
 * with the same `field: "value": rule`. Both paths run through main(argv, io) in-process, on the
 * project's engine (SQLite or PostgreSQL: the importer's paths differ between them), each test on its
 * own copy of a database that the command line seeds once for the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { dbFiles, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

const dir = tempDir('acctmgr-same-words-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let db: string;
const acctmgr = (...argv: string[]) => runCli(argv, { db });

async function ok(...argv: string[]): Promise<string> {
  const r = await acctmgr(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** The problem the command line reports: its `error:` line without the prefix. */
async function cliProblem(...argv: string[]): Promise<string> {
  const r = await acctmgr(...argv);
  expect(r.code, r.stderr).toBe(1);
  return /^error: (.*)$/m.exec(r.stderr)![1]!;
}

/** The problems an import reports for its rows: `FILE:LINE: ` taken off each error line. */
async function importProblems(entity: string, csv: string): Promise<string[]> {
  const file = path.join(dir, `${entity}.csv`);
  fs.writeFileSync(file, csv);
  const r = await acctmgr('import', entity, file);
  expect(r.code, r.stderr).toBe(1);
  return r.stderr
    .split('\n')
    .filter((line) => line.startsWith(`${file}:`))
    .map((line) => line.slice(file.length + 1).replace(/^\d+: /, ''));
}

/** Each test gets a copy: a manager, a school and a tutor account, two products, a priced plan. */
const given = dbFiles().template(async (at) => {
  db = at;
  await ok('managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example', '--employee-id', 'E-1');
  await ok('accounts', 'add', '--external-id', 'SCH-1', '--name', 'School', '--type', 'school', '--manager-login', 'anna');
  await ok('accounts', 'add', '--external-id', 'TUT-1', '--name', 'Tutor', '--type', 'tutor');
  await ok('products', 'add', '--code', 'BIO', '--name', 'Biology');
  await ok('products', 'add', '--code', 'DIARY', '--name', 'E-diary');
  await ok('plans', 'add', '--code', 'BIO-BASIC', '--name', 'Basic', '--product', 'BIO', '--currency', 'EUR');
  await ok('plans', 'price', 'BIO-BASIC', '--term', '12', '--amount', '100.00');
});
beforeEach(async () => {
  db = await given();
});

const SUB = [
  'subscriptions',
  'add',
  '--account-external-id',
  'SCH-1',
  '--plan',
  'BIO-BASIC',
  '--students',
  '10',
  '--start-date',
  '2026-09-01',
];
const SUB_CSV = 'external_id,account_external_id,product,plan,students,term_months,start_date,manager_login\n';

describe('the same rule in the same words, from the command line and from an import', () => {
  it('the term: 12 or 24 (subscriptions and price rows)', async () => {
    const rule = 'term_months: "6": must be 12 or 24';
    expect(await cliProblem(...SUB, '--term-months', '6')).toBe(rule);
    expect(await importProblems('subscriptions', `${SUB_CSV}S-1,SCH-1,,BIO-BASIC,10,6,2026-09-01,\n`)).toEqual([rule]);
    expect(await cliProblem('plans', 'price', 'BIO-BASIC', '--term', '6', '--amount', '5')).toBe(rule);
    expect(await importProblems('prices', 'plan,max_students,term_months,amount\nBIO-BASIC,,6,5\n')).toEqual([rule]);
  });

  it("a product given beside a plan must be the plan's", async () => {
    const rule = 'product: "DIARY": the plan belongs to product BIO';
    expect(await cliProblem(...SUB, '--term-months', '12', '--product', 'DIARY')).toBe(rule);
    expect(await importProblems('subscriptions', `${SUB_CSV}S-1,SCH-1,DIARY,BIO-BASIC,10,12,2026-09-01,\n`)).toEqual([rule]);
  });

  it('a tutor account has no manager (accounts and subscriptions)', async () => {
    const rule = 'manager_login: "anna": must be empty for a tutor account (a private tutor is both subscriber and user, with no manager)';
    const tutorSub = [
      'subscriptions',
      'add',
      '--account-external-id',
      'TUT-1',
      '--plan',
      'BIO-BASIC',
      '--students',
      '1',
      '--term-months',
      '12',
      '--start-date',
      '2026-09-01',
    ];
    expect(await cliProblem(...tutorSub, '--manager-login', 'anna')).toBe(rule);
    expect(await importProblems('subscriptions', `${SUB_CSV}S-1,TUT-1,,BIO-BASIC,1,12,2026-09-01,anna\n`)).toEqual([rule]);
    expect(await cliProblem('accounts', 'add', '--name', 'T2', '--type', 'tutor', '--manager-login', 'anna')).toBe(rule);
    expect(await importProblems('accounts', 'external_id,name,type,manager_login\nT-2,T2,tutor,anna\n')).toEqual([rule]);
  });

  it('an account cannot be its own parent', async () => {
    const rule = 'parent_external_id: "sch-1": is the account itself: an account cannot be its own parent';
    expect(await cliProblem('accounts', 'edit', 'SCH-1', '--parent-external-id', 'sch-1')).toBe(rule);
    expect(await importProblems('accounts', 'external_id,name,type,parent_external_id\nSCH-1,School,school,sch-1\n')).toEqual([rule]);
  });

  it("a manager's email and employee id are taken by another manager", async () => {
    const email = 'email: "anna@vendor.example": is already used by manager anna';
    const employee = 'employee_id: "E-1": is already used by manager anna';
    expect(await cliProblem('managers', 'add', '--login', 'bob', '--name', 'Bob', '--email', 'ANNA@vendor.example')).toBe(email);
    expect(
      await cliProblem('managers', 'add', '--login', 'bob', '--name', 'Bob', '--email', 'bob@vendor.example', '--employee-id', 'E-1'),
    ).toBe(employee);
    expect(await importProblems('managers', 'login,name,email,employee_id\nbob,Bob,anna@vendor.example,E-1\n')).toEqual([email, employee]);
  });

  it('a removed contact gets no new seat (seats add and a seats import); the hint is a command that runs', async () => {
    await ok(...SUB, '--term-months', '12', '--external-id', 'S-1');
    await ok('contacts', 'add', '--account-external-id', 'SCH-1', '--email', 'gone@school.example');
    await ok('contacts', 'remove', 'gone@school.example', '--yes');
    const back = 'acctmgr contacts edit gone@school.example --account SCH-1 --status active';
    const rule = `email: "gone@school.example": is a removed contact of account SCH-1 (bring it back first with: ${back})`;
    expect(await cliProblem('seats', 'add', 'gone@school.example', '--subscription', 'S-1')).toBe(rule);
    expect(await importProblems('seats', 'subscription_external_id,email,status\nS-1,gone@school.example,invited\n')).toEqual([rule]);
    // a removed seat of the removed contact is history: it imports
    const file = path.join(dir, 'seats.csv');
    fs.writeFileSync(file, 'subscription_external_id,email,status,removed_at\nS-1,gone@school.example,removed,2026-10-01\n');
    await ok('import', 'seats', file);
    // …and is not brought back, by either path, until the contact is
    expect(await cliProblem('seats', 'add', 'gone@school.example', '--subscription', 'S-1')).toBe(rule);
    expect(await importProblems('seats', 'subscription_external_id,email,status\nS-1,gone@school.example,active\n')).toEqual([rule]);
    await ok(...back.split(' ').slice(1));
    await ok('seats', 'add', 'gone@school.example', '--subscription', 'S-1');
  });

  it('a required field left empty for a new record', async () => {
    const rule = 'name: "": is required';
    expect(await cliProblem('accounts', 'add', '--name', ' ', '--type', 'school')).toBe(rule);
    expect(await importProblems('accounts', 'external_id,name,type\nNEW-1,,school\n')).toEqual([rule]);
    expect(await cliProblem('managers', 'add', '--login', 'carl', '--name', ' ', '--email', 'carl@vendor.example')).toBe(rule);
    expect(await importProblems('managers', 'login,name,email\ncarl,,carl@vendor.example\n')).toEqual([rule]);
  });
});

describe('the same defaults for a new contact, from the command line and from an import', () => {
  it('role other, not primary, invited, or active once it has logged in', async () => {
    await ok('contacts', 'add', '--account-external-id', 'SCH-1', '--email', 'cli-new@school.example');
    await ok(
      'contacts',
      'add',
      '--account-external-id',
      'SCH-1',
      '--email',
      'cli-seen@school.example',
      '--last-login-at',
      '2026-11-01T08:00:00Z',
    );
    const file = path.join(dir, 'contacts.csv');
    fs.writeFileSync(
      file,
      'account_external_id,email,last_login_at\nSCH-1,csv-new@school.example,\nSCH-1,csv-seen@school.example,2026-11-01T08:00:00Z\n',
    );
    await ok('import', 'contacts', file);
    const list = JSON.parse(await ok('contacts', 'list', '--account', 'SCH-1', '--json')) as Record<string, unknown>[];
    const byEmail = new Map(list.map(({ email, ...rest }) => [email as string, rest]));
    expect(byEmail.get('csv-new@school.example')).toEqual(byEmail.get('cli-new@school.example'));
    expect(byEmail.get('csv-seen@school.example')).toEqual(byEmail.get('cli-seen@school.example'));
    expect(byEmail.get('cli-new@school.example')).toMatchObject({ role: 'other', is_primary: false, status: 'invited' });
    expect(byEmail.get('cli-seen@school.example')).toMatchObject({ role: 'other', is_primary: false, status: 'active' });
  });
});

describe('a field with a default keeps a value', () => {
  it('an edit may not empty it (it is required, as on add)', async () => {
    expect(await cliProblem('managers', 'edit', 'anna', '--status', '')).toBe('status: "": is required');
    expect(await cliProblem('accounts', 'edit', 'SCH-1', '--status', '')).toBe('status: "": is required');
    await ok('contacts', 'add', '--account-external-id', 'SCH-1', '--email', 'kept@school.example');
    expect(await cliProblem('contacts', 'edit', 'kept@school.example', '--role', '')).toBe('role: "": is required');
  });
});
