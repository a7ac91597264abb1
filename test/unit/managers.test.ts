import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError, RefusedError } from '../../src/errors.js';
import { endLeave, resolveRecipient, startLeave } from '../../src/managers/leave.js';
import { verifyPassword } from '../../src/managers/password.js';
import { removeManager } from '../../src/composites/reassign.js';
import { addManager, editManager, getManager, listManagers, setPassword, showManager } from '../../src/managers/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { auditActor } from '../helpers/engine.js';

const op = testOp();
const t = eachTestDb();

async function add(login: string, extra: Record<string, unknown> = {}) {
  return addManager(t.db, op, { login, name: login.toUpperCase(), email: `${login}@vendor.example`, ...extra });
}

describe('managers', () => {
  it('adds a manager with lower-cased login and email and writes an audit row', async () => {
    const m = await addManager(t.db, op, { login: 'AKowalski', name: 'Anna', email: 'Anna@Vendor.example' });
    expect(m).toMatchObject({ login: 'akowalski', email: 'anna@vendor.example', status: 'active', has_password: false });
    const rows = await listAudit(t.db, { entity: 'manager' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'add', key: 'akowalski', actor: auditActor('tester'), on_behalf_of: null, before: null });
  });

  it('refuses duplicate login, email and employee id case-insensitively', async () => {
    await add('anna', { employee_id: 'E1' });
    await expect(add('ANNA')).rejects.toBeInstanceOf(ConflictError);
    await expect(addManager(t.db, op, { login: 'b', name: 'B', email: 'ANNA@vendor.example' })).rejects.toThrow(/email/);
    await expect(add('c', { employee_id: 'E1' })).rejects.toThrow(/employee_id: "E1": is already used by manager anna/);
  });

  it('names every bad field and value at once', async () => {
    const err = await addManager(t.db, op, { login: 'a b', name: 'x', email: 'nope', status: 'away' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as InvalidDataError).problems.map((p) => p.field)).toEqual(['login', 'email', 'status']);
    expect((err as Error).message).toContain('email: "nope": is not a valid email address');
    // a login is ASCII, and the message says so (it said "letters" of a Cyrillic one)
    const cyrillic = await addManager(t.db, op, { login: 'иван', name: 'x', email: 'i@v.example' }).catch((e) => e);
    expect((cyrillic as Error).message).toBe('login: "иван": may contain only ASCII letters a-z, digits, ".", "_" and "-"');
  });

  it('edits fields, clears optional ones, refuses to clear required ones', async () => {
    await add('anna', { phone: '123' });
    const m = await editManager(t.db, op, 'ANNA', { region: 'north', phone: '' });
    expect(m).toMatchObject({ region: 'north', phone: null });
    await expect(editManager(t.db, op, 'anna', { name: '' })).rejects.toThrow(/name: "": is required/);
    const audit = await listAudit(t.db, { entity: 'manager' });
    expect(audit.at(-1)).toMatchObject({ action: 'edit', before: { phone: '123' }, after: { region: 'north' } });
  });

  it('stores a salted scrypt hash (N=2^17, r=8, p=1), never the password, and never audits it', async () => {
    await add('anna');
    const record = await setPassword(t.db, op, 'anna', 'correct horse');
    expect(record.has_password).toBe(true);
    const row = await getManager(t.db, 'anna');
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', row.password_hash!)).toBe(true);
    expect(await verifyPassword('wrong', row.password_hash!)).toBe(false);
    const audit = JSON.stringify(await listAudit(t.db));
    expect(audit).not.toContain('correct horse');
    expect(audit).not.toContain(row.password_hash!);
    await expect(setPassword(t.db, op, 'anna', 'short')).rejects.toBeInstanceOf(RefusedError);
  });

  it('still verifies a hash of the first form (N=2^14), and stores the current form when the password is set again', async () => {
    const first = 'scrypt$16384$8$1$LnKGJRq6Zzh3yR9tahGiUg==$dYJkWoGZZejbMrA3Fkvy3QIHVGwNpcqJHG4hG3pJ52I=';
    expect(await verifyPassword('correct horse', first)).toBe(true);
    expect(await verifyPassword('correct horsf', first)).toBe(false);
    await add('anna');
    await t.db.updateTable('managers').set({ password_hash: first }).where('login', '=', 'anna').execute();
    await setPassword(t.db, op, 'anna', 'correct horse');
    const row = await getManager(t.db, 'anna');
    expect(row.password_hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword('correct horse', 'bcrypt$whatever')).toBe(false);
  });

  it('routes to the backup while a leave covers the date, one level deep at most', async () => {
    const a = await add('a');
    await add('b');
    await add('c');
    await add('d');
    await startLeave(t.db, op, 'a', { backup: 'b', from: '2026-12-01', until: '2026-12-31' });
    await startLeave(t.db, op, 'b', { backup: 'c', from: '2026-12-10' });
    await startLeave(t.db, op, 'c', { backup: 'd', from: '2026-12-20' });
    const id = (await getManager(t.db, 'a')).id;
    expect((await resolveRecipient(t.db, id, '2026-11-30')).login).toBe('a');
    expect((await resolveRecipient(t.db, id, '2026-12-01')).login).toBe('b');
    expect((await resolveRecipient(t.db, id, '2026-12-10')).login).toBe('c');
    expect((await resolveRecipient(t.db, id, '2026-12-20')).login).toBe('c');
    expect((await resolveRecipient(t.db, id, '2027-01-01')).login).toBe('a');
    expect(a.login).toBe('a');
    const list = await listManagers(t.db, testOp({ asOf: '2026-12-05' }));
    expect(list.find((m) => m.login === 'a')?.status).toBe('on_leave');
    expect((await showManager(t.db, testOp({ asOf: '2026-12-05' }), 'a')).leave).toEqual({
      backup_login: 'b',
      from_date: '2026-12-01',
      until_date: '2026-12-31',
    });
  });

  it('refuses overlapping leaves and being your own backup; return ends the leave', async () => {
    await add('a');
    await add('b');
    await expect(startLeave(t.db, op, 'a', { backup: 'a' })).rejects.toThrow(/own backup/);
    await startLeave(t.db, op, 'a', { backup: 'b', from: '2026-11-20' });
    await expect(startLeave(t.db, op, 'a', { backup: 'b', from: '2026-12-20' })).rejects.toBeInstanceOf(RefusedError);
    await endLeave(t.db, op, 'a');
    const id = (await getManager(t.db, 'a')).id;
    expect((await resolveRecipient(t.db, id, '2026-11-24')).login).toBe('b');
    expect((await resolveRecipient(t.db, id, '2026-11-25')).login).toBe('a');
  });

  it('refuses to remove a current backup unless reassigned', async () => {
    await add('a');
    await add('b');
    await add('c');
    await startLeave(t.db, op, 'a', { backup: 'b' });
    await expect(removeManager(t.db, op, 'b')).rejects.toThrow(/backup of a/);
    await removeManager(t.db, op, 'b', 'c');
    const id = (await getManager(t.db, 'a')).id;
    expect((await resolveRecipient(t.db, id, '2026-11-25')).login).toBe('c');
    await removeManager(t.db, op, 'a');
    expect((await listManagers(t.db, op)).map((m) => m.login)).toEqual(['c']);
  });

  it('remove without --reassign-to: history that names the manager (an ended leave as backup, activities …) refuses it in words, not a foreign-key error', async () => {
    await add('a');
    await add('b');
    await startLeave(t.db, op, 'a', { backup: 'b', from: '2026-01-01', until: '2026-01-10' });
    const err = await removeManager(t.db, op, 'b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).message).toBe('manager b is named by 1 ended leave: history keeps its manager, so it cannot be removed');
    expect((err as RefusedError).hint).toBe('set it inactive instead: acctmgr managers edit b --status inactive');
    expect((await listManagers(t.db, op)).map((m) => m.login)).toEqual(['a', 'b']);
    // handed over, the ended leave names the other manager: b goes
    await add('c');
    await removeManager(t.db, op, 'b', 'c');
    expect((await listManagers(t.db, op)).map((m) => m.login)).toEqual(['a', 'c']);
  });

  it('remove --reassign-to hands backup duties over by the rule of a leave (not the manager on leave, not inactive), audited', async () => {
    await add('a');
    await add('b');
    await add('c', { status: 'inactive' });
    await add('d');
    await add('e');
    await startLeave(t.db, op, 'a', { backup: 'b' });
    await startLeave(t.db, op, 'e', { backup: 'b', from: '2026-01-01', until: '2026-01-31' }); // ended: no duty
    const err = await removeManager(t.db, op, 'b', 'a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as Error).message).toBe('reassign_to: "a": a manager cannot be their own backup (a\'s leave)');
    await expect(removeManager(t.db, op, 'b', 'c')).rejects.toThrow(new RefusedError('backup c is inactive'));
    expect((await showManager(t.db, op, 'a')).leave).toMatchObject({ backup_login: 'b' });
    expect((await listAudit(t.db, { entity: 'manager' })).filter((r) => r.action !== 'add' && r.action !== 'leave')).toEqual([]);
    await removeManager(t.db, op, 'b', 'd');
    expect((await showManager(t.db, op, 'a')).leave).toMatchObject({ backup_login: 'd' });
    const rows = (await listAudit(t.db, { entity: 'manager' })).filter((r) => r.action === 'backup' || r.action === 'remove');
    expect(rows.map((r) => [r.action, r.key, r.before && (r.before as { backup_login?: string }).backup_login, r.after])).toEqual([
      ['backup', 'a', 'b', { backup_login: 'd', from_date: '2026-11-25', until_date: null }],
      ['remove', 'b', undefined, null],
    ]);
  });
});
