import { beforeEach, describe, expect, it } from 'vitest';
import { moveAccount, setAccountStatus } from '../../src/accounts/lifecycle.js';
import { assignManager, removeAccount } from '../../src/composites/accounts.js';
import { listAccounts, showAccount } from '../../src/accounts/query.js';
import { addAccount, editAccount, getAccount } from '../../src/accounts/service.js';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError, NotFoundError, RefusedError } from '../../src/errors.js';
import { addManager } from '../../src/managers/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { foldKey } from '../../src/lib/keys.js';

const op = testOp();
const t = eachTestDb(async () => {
  for (const login of ['anna', 'ben', 'cara']) {
    await addManager(t.db, op, { login, name: login.toUpperCase(), email: `${login}@vendor.example` });
  }
});

const add = (external_id: string, extra: Record<string, unknown> = {}) =>
  addAccount(t.db, op, { external_id, name: `Account ${external_id}`, type: 'school', ...extra });

/** A subscription row straight into the table (the subscriptions services are another issue's). */
async function insertSubscription(externalId: string, account: string, managerLogin: string | null): Promise<void> {
  const now = op.now;
  let product = await t.db.selectFrom('products').select('id').executeTakeFirst();
  if (!product) {
    product = await t.db
      .insertInto('products')
      .values({ code: 'P', code_key: 'p', name: 'P', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('plans')
      .values({
        code: 'PL',
        code_key: 'pl',
        name: 'PL',
        product_id: product.id,
        currency: 'EUR',
        modules: '',
        legacy: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const plan = await t.db.selectFrom('plans').select('id').executeTakeFirstOrThrow();
  const acc = await getAccount(t.db, account);
  const mgr = managerLogin
    ? await t.db.selectFrom('managers').select('id').where('login', '=', managerLogin).executeTakeFirstOrThrow()
    : null;
  await t.db
    .insertInto('subscriptions')
    .values({
      external_id: externalId,
      external_id_key: foldKey(externalId),
      account_id: acc.id,
      product_id: product.id,
      plan_id: plan.id,
      students: 10,
      term_months: 12,
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      status: 'active',
      manager_id: mgr?.id ?? null,
      price_cents: 80000,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** A contact row straight into the table (contacts are another part's). */
async function insertContact(accountId: number, email: string, status: string): Promise<void> {
  const row = {
    account_id: accountId,
    name: null,
    email,
    email_key: foldKey(email),
    role: 'teacher',
    is_primary: 0,
    status,
    invited_at: null,
    last_login_at: null,
  };
  await t.db
    .insertInto('contacts')
    .values({ ...row, created_at: op.now, updated_at: op.now })
    .execute();
}

async function subscriptionManagers(): Promise<Record<string, string | null>> {
  const rows = await t.db
    .selectFrom('subscriptions as s')
    .leftJoin('managers as m', 'm.id', 's.manager_id')
    .select(['s.external_id', 'm.login'])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.external_id, r.login ?? null]));
}

describe('accounts: add and edit', () => {
  it('adds with every field, null for absent ones, and audits the record', async () => {
    const a = await add('SCH-1', { student_count: '420', manager_login: 'ANNA', group: 'Sofia', country: 'BG', locale: 'bg' });
    expect(a).toEqual({
      external_id: 'SCH-1',
      name: 'Account SCH-1',
      type: 'school',
      status: 'active',
      group: 'Sofia',
      parent_external_id: null,
      country: 'BG',
      region: null,
      registration_no: null,
      student_count: 420,
      locale: 'bg',
      manager_login: 'anna',
      customer_emails: true,
      fields: {},
    });
    const audit = await listAudit(t.db, { entity: 'account' });
    expect(audit).toEqual([expect.objectContaining({ action: 'add', key: 'SCH-1', after: a })]);
  });

  it('generates a unique external id when none is given', async () => {
    const a = await addAccount(t.db, op, { name: 'A', type: 'guest' });
    const b = await addAccount(t.db, op, { name: 'B', type: 'guest' });
    expect(a.external_id).toMatch(/^ACC-[0-9A-F]{8}$/);
    expect(b.external_id).not.toBe(a.external_id);
  });

  it('refuses a duplicate external id case-insensitively, bad enums and negative student counts', async () => {
    await add('SCH-1');
    await expect(add('sch-1')).rejects.toBeInstanceOf(ConflictError);
    const err = await add('X', { type: 'teacher', status: 'closed', student_count: -1 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as InvalidDataError).problems.map((p) => p.field)).toEqual(['type', 'status', 'student_count']);
  });

  it('refuses unknown managers and parents', async () => {
    await expect(add('X', { manager_login: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(add('X', { parent_external_id: 'NOPE' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a tutor account has no manager: on add, on edit and when the type changes to tutor', async () => {
    await expect(add('T1', { type: 'tutor', manager_login: 'anna' })).rejects.toThrow(/manager_login: "anna": must be empty for a tutor/);
    await add('T1', { type: 'tutor' });
    await expect(editAccount(t.db, op, 'T1', { manager_login: 'anna' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(assignManager(t.db, op, 'T1', 'anna')).rejects.toThrow(/tutor/);
    await add('S1', { manager_login: 'anna' });
    await expect(editAccount(t.db, op, 'S1', { type: 'tutor' })).rejects.toThrow(/must be empty for a tutor/);
    const s1 = await editAccount(t.db, op, 'S1', { type: 'tutor', manager_login: '' });
    expect(s1).toMatchObject({ type: 'tutor', manager_login: null });
  });

  it('refuses parent cycles, including the account itself', async () => {
    await add('A');
    await add('B', { parent_external_id: 'a' });
    await add('C', { parent_external_id: 'B' });
    await expect(add('D', { parent_external_id: 'd' })).rejects.toThrow(/own parent/);
    await expect(editAccount(t.db, op, 'A', { parent_external_id: 'A' })).rejects.toThrow(/own parent/);
    await expect(editAccount(t.db, op, 'A', { parent_external_id: 'C' })).rejects.toThrow(/cycle: A → C → B → A/);
    expect((await showAccount(t.db, op, 'A')).parent_external_id).toBeNull();
    const moved = await editAccount(t.db, op, 'C', { parent_external_id: 'A' });
    expect(moved.parent_external_id).toBe('A');
  });

  it('edits, clears optional fields, refuses to clear required ones, audits before and after', async () => {
    await add('A', { region: 'north', student_count: 5 });
    const e = await editAccount(t.db, op, 'a', { region: '', student_count: 7, external_id: 'A-2' });
    expect(e).toMatchObject({ external_id: 'A-2', region: null, student_count: 7 });
    await expect(editAccount(t.db, op, 'A-2', { name: '' })).rejects.toThrow(/name: "": is required/);
    const audit = await listAudit(t.db, { entity: 'account' });
    expect(audit.at(-1)).toMatchObject({ action: 'edit', key: 'A-2', before: { external_id: 'A', region: 'north' }, after: e });
  });

  it('creates a group named for the first time, audited', async () => {
    await add('A', { group: 'New Region' });
    await add('B', { group: 'new region' });
    const groups = await listAudit(t.db, { entity: 'group' });
    expect(groups).toEqual([expect.objectContaining({ action: 'add', key: 'New Region' })]);
    expect((await showAccount(t.db, op, 'B')).group).toBe('New Region');
  });
});

describe('accounts: list and show', () => {
  beforeEach(async () => {
    await add('SCH-2', { name: 'Средно училище', manager_login: 'anna', student_count: 300, group: 'Sofia', registration_no: 'BG123' });
    await add('SCH-1', { name: 'Alpha School', manager_login: 'ben', student_count: 50 });
    await add('CO-1', { name: 'Acme', type: 'company', status: 'deactivated', parent_external_id: 'SCH-1' });
  });

  it('filters by manager, type, status, group and search (any case, Cyrillic too)', async () => {
    const keys = async (f: Parameters<typeof listAccounts>[2]) => (await listAccounts(t.db, op, f)).map((a) => a.external_id);
    expect(await keys({})).toEqual(['CO-1', 'SCH-1', 'SCH-2']);
    expect(await keys({ manager: 'ANNA' })).toEqual(['SCH-2']);
    expect(await keys({ type: 'company' })).toEqual(['CO-1']);
    expect(await keys({ status: 'active' })).toEqual(['SCH-1', 'SCH-2']);
    expect(await keys({ group: 'sofia' })).toEqual(['SCH-2']);
    expect(await keys({ search: 'УЧИЛИЩЕ' })).toEqual(['SCH-2']);
    expect(await keys({ search: 'bg12' })).toEqual(['SCH-2']);
    expect(await keys({ search: 'sch', limit: 1 })).toEqual(['SCH-1']);
    expect(await keys({ sort: 'student_count', desc: true, limit: 2 })).toEqual(['SCH-2', 'SCH-1']);
    await expect(keys({ type: 'teacher' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(keys({ sort: 'colour' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(keys({ manager: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('shows manager details, parent, sub-accounts and the count of contacts not removed', async () => {
    const acc = await getAccount(t.db, 'SCH-1');
    for (const [email, status] of [
      ['a@x.example', 'active'],
      ['b@x.example', 'invited'],
      ['c@x.example', 'removed'],
    ]) {
      await insertContact(acc.id, email!, status!);
    }
    const s = await showAccount(t.db, op, 'sch-1');
    expect(s).toMatchObject({
      manager_login: 'ben',
      manager_name: 'BEN',
      manager_email: 'ben@vendor.example',
      manager_phone: null,
      manager_mobile: null,
      parent_name: null,
      sub_accounts: [{ external_id: 'CO-1', name: 'Acme', type: 'company', status: 'deactivated' }],
      contact_count: 2,
    });
    expect(await showAccount(t.db, op, 'CO-1')).toMatchObject({ parent_external_id: 'SCH-1', parent_name: 'Alpha School' });
  });
});

describe('accounts: assign, move, status, remove', () => {
  it('assign moves only the subscriptions managed by the previous account manager, audited', async () => {
    await add('A', { manager_login: 'anna' });
    await add('B', { manager_login: 'anna' });
    await insertSubscription('S-1', 'A', 'anna');
    await insertSubscription('S-2', 'A', 'cara');
    await insertSubscription('S-3', 'A', null);
    await insertSubscription('S-4', 'B', 'anna');
    const r = await assignManager(t.db, op, 'a', 'BEN');
    expect(r.subscriptions).toEqual(['S-1']);
    expect(r.account.manager_login).toBe('ben');
    expect(await subscriptionManagers()).toEqual({ 'S-1': 'ben', 'S-2': 'cara', 'S-3': null, 'S-4': 'anna' });
    const audit = await listAudit(t.db);
    expect(audit.filter((a) => a.entity === 'subscription')).toEqual([
      expect.objectContaining({ action: 'reassign', key: 'S-1', before: { manager_login: 'anna' }, after: { manager_login: 'ben' } }),
    ]);
    expect(audit.at(-1)).toMatchObject({ action: 'assign', entity: 'account', key: 'A', before: { manager_login: 'anna' } });
    const history = await t.db.selectFrom('subscription_history').select(['event']).execute();
    expect(history).toEqual([{ event: 'reassign' }]);
  });

  it('assign from no manager moves no subscriptions; unknown manager is not found', async () => {
    await add('A');
    await insertSubscription('S-1', 'A', 'cara');
    expect((await assignManager(t.db, op, 'A', 'anna')).subscriptions).toEqual([]);
    expect(await subscriptionManagers()).toEqual({ 'S-1': 'cara' });
    await expect(assignManager(t.db, op, 'A', 'nobody')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('move puts the account in a group (created), "" takes it out', async () => {
    await add('A');
    expect((await moveAccount(t.db, op, 'A', 'North')).group).toBe('North');
    expect((await moveAccount(t.db, op, 'A', '')).group).toBeNull();
    const audit = await listAudit(t.db);
    expect(audit.filter((a) => a.entity !== 'manager').map((a) => `${a.entity}:${a.action}`)).toEqual([
      'account:add',
      'group:add',
      'account:move',
      'account:move',
    ]);
  });

  it('deactivate and activate, each audited once', async () => {
    await add('A');
    expect((await setAccountStatus(t.db, op, 'A', 'deactivated')).changed).toBe(true);
    expect((await setAccountStatus(t.db, op, 'A', 'deactivated')).changed).toBe(false);
    expect((await setAccountStatus(t.db, op, 'A', 'active')).account.status).toBe('active');
    const actions = (await listAudit(t.db, { entity: 'account' })).map((a) => a.action);
    expect(actions).toEqual(['add', 'deactivate', 'activate']);
  });

  it('remove refuses while sub-accounts or subscriptions exist, else removes with contacts', async () => {
    await add('P');
    await add('C', { parent_external_id: 'P' });
    await expect(removeAccount(t.db, op, 'P')).rejects.toThrow(/has 1 sub-account\(s\): C/);
    await insertSubscription('S-1', 'C', null);
    const err = await removeAccount(t.db, op, 'C').catch((e) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).hint).toMatch(/deactivate/);
    await add('X');
    const x = await getAccount(t.db, 'X');
    await insertContact(x.id, 'a@x.example', 'active');
    await removeAccount(t.db, op, 'x');
    await expect(getAccount(t.db, 'X')).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.db.selectFrom('contacts').selectAll().execute()).toEqual([]);
    expect((await listAudit(t.db, { entity: 'account' })).at(-1)).toMatchObject({ action: 'remove', key: 'X', after: null });
  });
});
