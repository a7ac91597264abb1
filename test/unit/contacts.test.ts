import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { CONTACT_FIELDS } from '../../src/contacts/fields.js';
import { assertPrimaryLimit, countsAsPrimary } from '../../src/contacts/rules.js';
import {
  addContact,
  editContact,
  listContacts,
  primaryCountsByAccount,
  removeContact,
  resolveContact,
  showContact,
  touchLastLogin,
} from '../../src/contacts/service.js';
import { ConflictError, InvalidDataError, NotFoundError, RefusedError } from '../../src/errors.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  for (const id of ['SCH-001', 'SCH-002']) await t.seed.account(id, { locale: null });
});

function add(email: string, extra: Record<string, unknown> = {}) {
  return addContact(t.db, op, { account_external_id: 'SCH-001', name: email.split('@')[0], email, ...extra });
}

async function contactCount(): Promise<number> {
  const r = await t.db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('contact fields', () => {
  it('lists the fields in the CSV column order of the import format', () => {
    expect(CONTACT_FIELDS.map((f) => f.name).join(',')).toBe(
      'account_external_id,name,email,role,is_primary,status,invited_at,last_login_at',
    );
  });
});

describe('contacts', () => {
  it('adds a contact with defaults, lower-cased email, the record shape and an audit row', async () => {
    const c = await addContact(t.db, op, { account_external_id: 'sch-001', name: 'Ivan', email: 'Ivan@School.example' });
    expect(c).toEqual({
      account_external_id: 'SCH-001',
      name: 'Ivan',
      email: 'ivan@school.example',
      role: 'other',
      is_primary: false,
      status: 'invited',
      invited_at: null,
      last_login_at: null,
    });
    const audit = await listAudit(t.db, { entity: 'contact' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'add', key: 'SCH-001/ivan@school.example', after: c });
  });

  it('normalizes last_login_at to UTC and a contact who has logged in defaults to active', async () => {
    const c = await add('a@x.example', { last_login_at: '2026-06-01T10:30:00+03:00', invited_at: '2026-05-02' });
    expect(c).toMatchObject({ last_login_at: '2026-06-01T07:30:00Z', status: 'active', invited_at: '2026-05-02' });
    const d = await add('b@x.example', { last_login_at: '2026-06-01T23:30:00-02:00' });
    expect(d.last_login_at).toBe('2026-06-02T01:30:00Z');
  });

  it('names every bad field and value and refuses an unknown account', async () => {
    const err = await add('nope', { role: 'boss', invited_at: '2026-02-30', last_login_at: 'yesterday' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as InvalidDataError).problems.map((p) => p.field)).toEqual(['email', 'role', 'invited_at', 'last_login_at']);
    await expect(addContact(t.db, op, { account_external_id: 'NOPE', email: 'a@x.example' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(addContact(t.db, op, { account_external_id: 'SCH-001' })).rejects.toThrow(/email: "": is required/);
  });

  it('keeps emails unique within an account case-insensitively, but allows them across accounts', async () => {
    await add('anna@x.example');
    await expect(add('ANNA@X.example')).rejects.toBeInstanceOf(ConflictError);
    await expect(add('Anna@x.example')).rejects.toThrow(/already a contact of account SCH-001/);
    const other = await addContact(t.db, op, { account_external_id: 'SCH-002', email: 'ANNA@x.example' });
    expect(other.email).toBe('anna@x.example');
    await removeContact(t.db, op, 'anna@x.example', 'SCH-001');
    await expect(add('ANNA@x.example')).rejects.toThrow(
      'email "anna@x.example" is already a contact of account SCH-001 ' +
        '(removed; bring it back with: acctmgr contacts edit anna@x.example --account SCH-001 --status active)',
    );
  });

  it('refuses a 6th primary contact, naming the limit and the account; removed ones do not count', async () => {
    for (let i = 1; i <= 5; i++) await add(`p${i}@x.example`, { is_primary: true });
    const err = await add('p6@x.example', { is_primary: 'yes' }).catch((e) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toMatch(/SCH-001/);
    expect((err as Error).message).toMatch(/limit is 5/);
    expect(await contactCount()).toBe(5);
    // a non-primary one is fine, and so is a primary one in another account
    await add('n@x.example');
    await addContact(t.db, op, { account_external_id: 'SCH-002', email: 'p6@x.example', is_primary: true });
    // editing into primary is refused too
    await expect(editContact(t.db, op, 'n@x.example', 'SCH-001', { is_primary: true })).rejects.toBeInstanceOf(RefusedError);
    // once one is removed, there is room
    await removeContact(t.db, op, 'p1@x.example', 'SCH-001');
    expect((await add('p6@x.example', { is_primary: true })).is_primary).toBe(true);
    // bringing the removed primary back would make six
    await expect(editContact(t.db, op, 'p1@x.example', 'SCH-001', { status: 'active' })).rejects.toBeInstanceOf(RefusedError);
    // a removed primary contact can be added as such without counting
    expect((await add('r@x.example', { is_primary: true, status: 'removed' })).status).toBe('removed');
    const counts = await primaryCountsByAccount(t.db);
    expect([...counts.values()].sort()).toEqual([1, 5]);
  });

  it('the pure primary rule counts only primary, non-removed contacts', () => {
    expect(countsAsPrimary({ is_primary: 1, status: 'active' })).toBe(true);
    expect(countsAsPrimary({ is_primary: true, status: 'removed' })).toBe(false);
    expect(() => assertPrimaryLimit('X', 5, { is_primary: true, status: 'invited' })).toThrow(/account X/);
    expect(() => assertPrimaryLimit('X', 5, { is_primary: false, status: 'invited' })).not.toThrow();
    expect(() => assertPrimaryLimit('X', 4, { is_primary: true, status: 'invited' })).not.toThrow();
  });

  it('edits fields, clears optional ones, refuses to clear required ones, audits before/after', async () => {
    await add('a@x.example', { role: 'teacher', invited_at: '2026-01-10' });
    const c = await editContact(t.db, op, 'A@X.EXAMPLE', undefined, { role: 'Director', invited_at: '', name: 'Anna B' });
    expect(c).toMatchObject({ role: 'director', invited_at: null, name: 'Anna B' });
    await expect(editContact(t.db, op, 'a@x.example', undefined, { email: '' })).rejects.toThrow(/email: "": is required/);
    await expect(editContact(t.db, op, 'a@x.example', undefined, { role: '' })).rejects.toThrow(/role/);
    const audit = await listAudit(t.db, { entity: 'contact' });
    expect(audit.at(-1)).toMatchObject({
      action: 'edit',
      key: 'SCH-001/a@x.example',
      before: { role: 'teacher', invited_at: '2026-01-10' },
      after: { role: 'director', invited_at: null },
    });
  });

  it('moves a contact to another account and changes its email, checking uniqueness there', async () => {
    await add('a@x.example');
    await addContact(t.db, op, { account_external_id: 'SCH-002', email: 'b@x.example' });
    await expect(
      editContact(t.db, op, 'a@x.example', undefined, { email: 'B@x.example', account_external_id: 'SCH-002' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const moved = await editContact(t.db, op, 'a@x.example', undefined, { account_external_id: 'sch-002' });
    expect(moved.account_external_id).toBe('SCH-002');
    const renamed = await editContact(t.db, op, 'a@x.example', 'SCH-002', { email: 'New@x.example' });
    expect(renamed.email).toBe('new@x.example');
  });

  it('addresses a contact by email, needing --account only when the email is in several accounts', async () => {
    await add('a@x.example');
    expect((await resolveContact(t.db, 'A@x.example')).account_external_id).toBe('SCH-001');
    await addContact(t.db, op, { account_external_id: 'SCH-002', email: 'a@x.example' });
    await expect(showContact(t.db, 'a@x.example')).rejects.toThrow(/several accounts \(SCH-001, SCH-002\).*--account/);
    expect((await showContact(t.db, 'a@x.example', 'sch-002')).account_external_id).toBe('SCH-002');
    // once one of them is removed, the other one is meant
    await removeContact(t.db, op, 'a@x.example', 'SCH-001');
    expect((await showContact(t.db, 'a@x.example')).account_external_id).toBe('SCH-002');
    await expect(showContact(t.db, 'none@x.example')).rejects.toBeInstanceOf(NotFoundError);
    await expect(showContact(t.db, 'a@x.example', 'NOPE')).rejects.toThrow(/account not found: "NOPE"/);
  });

  it('remove keeps the row with status removed and audits it once', async () => {
    await add('a@x.example', { is_primary: true });
    const r = await removeContact(t.db, op, 'a@x.example');
    expect(r).toMatchObject({ status: 'removed', is_primary: true });
    await removeContact(t.db, op, 'a@x.example');
    expect(await contactCount()).toBe(1);
    const removes = (await listAudit(t.db, { entity: 'contact' })).filter((a) => a.action === 'remove');
    expect(removes).toHaveLength(1);
  });

  it('lists with filters; removed contacts only when asked for', async () => {
    await add('anna@x.example', { name: 'Anna Petrova', role: 'teacher', is_primary: true });
    await add('boris@x.example', { name: 'Борис Иванов', role: 'director' });
    await add('gone@x.example', { role: 'teacher', is_primary: true });
    await addContact(t.db, op, { account_external_id: 'SCH-002', email: 'c_d@y.example', role: 'teacher' });
    await removeContact(t.db, op, 'gone@x.example');
    const emails = async (f = {}) => (await listContacts(t.db, f)).map((c) => c.email);
    expect(await emails()).toEqual(['anna@x.example', 'boris@x.example', 'c_d@y.example']);
    expect(await emails({ account: 'sch-002' })).toEqual(['c_d@y.example']);
    expect(await emails({ role: 'Teacher' })).toEqual(['anna@x.example', 'c_d@y.example']);
    expect(await emails({ status: 'removed' })).toEqual(['gone@x.example']);
    expect(await emails({ primary: true })).toEqual(['anna@x.example']);
    expect(await emails({ primary: false })).toEqual(['boris@x.example', 'c_d@y.example']);
    expect(await emails({ search: 'БОРИС' })).toEqual(['boris@x.example']);
    expect(await emails({ search: 'PETROV' })).toEqual(['anna@x.example']);
    expect(await emails({ search: '_' })).toEqual(['c_d@y.example']);
    expect(await emails({ includeRemoved: true })).toHaveLength(4);
    await expect(listContacts(t.db, { role: 'boss' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(listContacts(t.db, { account: 'NOPE' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists sorted by the folds of account and email, as export contacts; the several-accounts error names them so too', async () => {
    const lower = await t.seed.account('a-lower');
    const upper = await t.seed.account('B-Upper');
    await t.seed.contact(lower, 'x@a.example');
    await t.seed.contact(upper, 'strasz@b.example');
    await t.seed.contact(upper, 'straße@b.example');
    await t.seed.contact(upper, 'x@a.example');
    const listed = (await listContacts(t.db, { search: 'example' })).map((c) => `${c.account_external_id}/${c.email}`);
    // folds: a-lower < b-upper, strasse < strasz
    expect(listed).toEqual(['a-lower/x@a.example', 'B-Upper/straße@b.example', 'B-Upper/strasz@b.example', 'B-Upper/x@a.example']);
    await expect(resolveContact(t.db, 'x@a.example')).rejects.toThrow('exists in several accounts (a-lower, B-Upper)');
  });

  it('touchLastLogin never moves last_login_at backwards and stores UTC', async () => {
    await add('a@x.example');
    const id = (await resolveContact(t.db, 'a@x.example')).id;
    expect(await touchLastLogin(t.db, op, id, '2026-10-01T12:00:00+02:00')).toBe(true);
    expect((await showContact(t.db, 'a@x.example')).last_login_at).toBe('2026-10-01T10:00:00Z');
    expect(await touchLastLogin(t.db, op, id, '2026-09-30T23:00:00Z')).toBe(false);
    expect(await touchLastLogin(t.db, op, id, '2026-10-01T10:00:00Z')).toBe(false);
    expect((await showContact(t.db, 'a@x.example')).last_login_at).toBe('2026-10-01T10:00:00Z');
    expect(await touchLastLogin(t.db, op, id, '2026-10-02T01:00:00+03:00', { audit: false })).toBe(true);
    expect((await showContact(t.db, 'a@x.example')).last_login_at).toBe('2026-10-01T22:00:00Z');
    const logins = (await listAudit(t.db, { entity: 'contact' })).filter((a) => a.action === 'login');
    expect(logins).toHaveLength(1);
    await expect(touchLastLogin(t.db, op, id, 'soon')).rejects.toBeInstanceOf(InvalidDataError);
    await expect(touchLastLogin(t.db, op, 9999, '2026-10-01T10:00:00Z')).rejects.toBeInstanceOf(NotFoundError);
  });
});
