import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { snapshotTables } from '../helpers/raw.js';
import { seededDb } from '../helpers/db.js';

let db: string;

/** Everything a refused command must leave untouched: the contacts rows and the audit log. */
function snapshot(): Promise<string> {
  return snapshotTables(db, ['contacts', 'audit_log']);
}

const add = (account: string, email: string, ...extra: string[]) =>
  runCli(['contacts', 'add', '--account-external-id', account, '--email', email, ...extra], { db });

/** Each test starts from a copy of one of these: three accounts; then Maria (primary, SCH-001) and Ivo (SCH-002). */
const given = dbFiles();
// the accounts are inserted directly so these tests depend on nothing but the contacts commands
const withAccounts = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    for (const id of ['SCH-001', 'SCH-002', 'SCH-003']) await t.seed.account(id, { locale: null });
  }, at);
});
const withContacts = given.template(async (at) => {
  db = at;
  for (const r of [
    await add(
      'sch-001',
      'Maria@School.example',
      '--name',
      'Мария Иванова',
      '--role',
      'director',
      '--is-primary',
      '--invited-at',
      '2026-03-02',
      '--last-login-at',
      '2026-06-01T10:00:00+03:00',
    ),
    await add('SCH-002', 'ivo@school.example', '--role', 'teacher'),
  ]) {
    expect(r.code, r.stderr).toBe(0);
  }
}, withAccounts);

describe('acctmgr contacts (end to end)', () => {
  it('adds, shows and lists with the contract shapes (key on stdout, JSON, CSV, UTC timestamps)', async () => {
    db = await withAccounts();
    const r = await add(
      'sch-001',
      'Maria@School.example',
      '--name',
      'Мария Иванова',
      '--role',
      'director',
      '--is-primary',
      '--invited-at',
      '2026-03-02',
      '--last-login-at',
      '2026-06-01T10:00:00+03:00',
    );
    expect(r).toMatchObject({ code: 0, stdout: 'SCH-001/maria@school.example\n' });
    const shown = await runJson(['contacts', 'show', 'MARIA@school.example'], { db });
    expect(shown).toEqual({
      account_external_id: 'SCH-001',
      name: 'Мария Иванова',
      email: 'maria@school.example',
      role: 'director',
      is_primary: true,
      status: 'active',
      invited_at: '2026-03-02',
      last_login_at: '2026-06-01T07:00:00Z',
    });
    const json = await runJson<Record<string, unknown>>(
      ['contacts', 'add', '--account-external-id', 'SCH-002', '--email', 'ivo@school.example', '--role', 'teacher'],
      { db },
    );
    expect(json).toMatchObject({ account_external_id: 'SCH-002', name: null, is_primary: false, status: 'invited', last_login_at: null });
    const list = await runJson<{ email: string }[]>(['contacts', 'list', '--account', 'SCH-001', '--primary'], { db });
    expect(list.map((c) => c.email)).toEqual(['maria@school.example']);
    const csv = await runCli(['contacts', 'list', '--format', 'csv', '--role', 'director'], { db });
    expect(csv.stdout).toBe(
      'account_external_id,name,email,role,is_primary,status,invited_at,last_login_at\n' +
        'SCH-001,Мария Иванова,maria@school.example,director,true,active,2026-03-02,2026-06-01T07:00:00Z\n',
    );
    const empty = await runJson(['contacts', 'list', '--search', 'nobody'], { db });
    expect(empty).toEqual([]);
  });

  it('exits 2 for usage errors without waiting for input or touching the database', async () => {
    db = await withContacts();
    const before = await snapshot();
    const missing = await runCli(['contacts', 'add', '--name', 'X'], { db });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--account-external-id, --email');
    expect((await add('SCH-001', 'a@x.example', '--invited-at', '02.03.2026')).code).toBe(2);
    expect((await add('SCH-001', 'a@x.example', '--colour', 'red')).code).toBe(2);
    expect((await runCli(['contacts', 'edit', 'maria@school.example'], { db })).code).toBe(2);
    const remove = await runCli(['contacts', 'remove', 'maria@school.example'], { db });
    expect(remove.code).toBe(2);
    expect(remove.stderr).toContain('--yes');
    expect((await runCli(['contacts', 'list', '--format', 'xml'], { db })).code).toBe(2);
    expect(await snapshot()).toBe(before);
  });

  it('exits 1 naming field and value for bad data and unknown references, changing nothing', async () => {
    db = await withContacts();
    const before = await snapshot();
    const bad = await add('SCH-001', 'nope', '--role', 'boss');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('email: "nope": is not a valid email address');
    expect(bad.stderr).toContain('role: "boss": must be one of teacher, director, deputy, admin, other, billing');
    const date = await add('SCH-001', 'a@x.example', '--invited-at', '2026-02-30');
    expect(date.code).toBe(1);
    expect(date.stderr).toContain('invited_at: "2026-02-30"');
    expect((await add('NOPE-1', 'a@x.example')).stderr).toContain('account not found: "NOPE-1"');
    const dup = await add('SCH-001', 'MARIA@school.example');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already a contact of account SCH-001');
    expect((await runCli(['contacts', 'show', 'ghost@x.example'], { db })).code).toBe(1);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a 6th primary contact, naming the limit and the account, and leaves the database unchanged', async () => {
    db = await withContacts();
    for (let i = 1; i <= 4; i++) expect((await add('SCH-001', `p${i}@school.example`, '--is-primary')).code).toBe(0);
    const before = await snapshot();
    const sixth = await add('SCH-001', 'p5@school.example', '--is-primary');
    expect(sixth.code).toBe(1);
    expect(sixth.stderr).toMatch(/account SCH-001 .*limit is 5/);
    expect(
      (await runCli(['contacts', 'edit', 'ivo@school.example', '--account-external-id', 'SCH-001', '--is-primary'], { db })).code,
    ).toBe(1);
    expect(await snapshot()).toBe(before);
    // a removed contact no longer counts: then the 6th fits
    const rm = await runCli(['contacts', 'remove', 'p4@school.example', '--yes'], { db });
    expect(rm).toMatchObject({ code: 0, stdout: 'SCH-001/p4@school.example\n' });
    expect((await add('SCH-001', 'p5@school.example', '--is-primary')).code).toBe(0);
    const listed = await runJson<{ email: string }[]>(['contacts', 'list', '--account', 'SCH-001'], { db });
    expect(listed.map((c) => c.email)).not.toContain('p4@school.example');
    const removed = await runJson<{ email: string; status: string }[]>(['contacts', 'list', '--status', 'removed'], { db });
    expect(removed).toEqual([expect.objectContaining({ email: 'p4@school.example', status: 'removed' })]);
  });

  it('needs --account only when the email is a contact of several accounts; edits and audits', async () => {
    db = await withContacts();
    expect((await add('SCH-002', 'gone@school.example')).code).toBe(0);
    expect((await runCli(['contacts', 'remove', 'gone@school.example', '--yes'], { db })).code).toBe(0);
    expect((await add('SCH-003', 'maria@school.example')).code).toBe(0);
    const ambiguous = await runCli(['contacts', 'show', 'maria@school.example'], { db });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('several accounts (SCH-001, SCH-003)');
    const edited = await runJson<Record<string, unknown>>(
      ['contacts', 'edit', 'maria@school.example', '--account', 'sch-003', '--role', 'deputy', '--name', 'Maria I.'],
      { db },
    );
    expect(edited).toMatchObject({ account_external_id: 'SCH-003', role: 'deputy', name: 'Maria I.' });
    const audit = await runJson<{ action: string; key: string }[]>(['audit', '--entity', 'contact'], { db });
    expect(audit.at(-1)).toMatchObject({ action: 'edit', key: 'SCH-003/maria@school.example' });
    expect(audit.map((a) => a.action)).toContain('remove');
  });
});
