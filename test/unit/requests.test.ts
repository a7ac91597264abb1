import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { removeContact } from '../../src/contacts/service.js';
import { RefusedError } from '../../src/errors.js';
import { addRequest, closeRequest, editRequest, listRequests, reopenRequest, showRequest } from '../../src/requests/service.js';
import { getSetting, listSettings, setSetting } from '../../src/settings/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp(); // 2026-11-25
const ids: Record<string, number> = {};
const t = eachTestDb(async () => {
  for (const m of ['anna', 'ben', 'cleo', 'dan']) ids[m] = await t.seed.manager(m);
  const sch = await t.seed.account('SCH-001', { manager: ids.anna! });
  await t.seed.contact(sch, 'ewa@sp12.example');
  // ben manages one of SCH-001's subscriptions; dan manages nothing of it
  await t.seed.subscription('SUB-1', { account: sch, manager: ids.ben! });
  const other = await t.seed.account('SCH-002', { manager: ids.dan! });
  await t.seed.contact(other, 'ola@sch2.example');
});
const raise = (by?: string, extra: Record<string, unknown> = {}) =>
  addRequest(t.db, op, { account_external_id: 'SCH-001', contact_email: 'ewa@sp12.example', subject: 'Parent app login', ...extra }, by);

describe('settings', () => {
  it('a fixed list of known keys: manager-requests is off by default; set is audited; unknown keys and values are refused', async () => {
    expect(await getSetting(t.db, 'manager-requests')).toBe('off');
    expect((await listSettings(t.db)).map((s) => [s.key, s.value])).toContainEqual(['manager-requests', 'off']);
    expect((await setSetting(t.db, op, 'manager-requests', 'ON')).value).toBe('on');
    expect(await getSetting(t.db, 'manager-requests')).toBe('on');
    expect((await setSetting(t.db, op, 'manager-requests', 'on')).value).toBe('on'); // no change: not audited again
    await expect(setSetting(t.db, op, 'colour', 'blue')).rejects.toThrow(
      'key: "colour": is not a known setting (known: manager-requests, invoice-prefix, invoice-due-days, seller-name, seller-address, seller-vat-no)',
    );
    await expect(setSetting(t.db, op, 'manager-requests', 'maybe')).rejects.toThrow('value: "maybe": must be one of on, off');
    expect((await listAudit(t.db, { entity: 'setting' })).map((a) => [a.key, a.before, a.after])).toEqual([
      ['manager-requests', { value: 'off' }, { value: 'on' }],
    ]);
  });
});

describe('requests', () => {
  it('keys REQ-000001 …; a contact of the account; priority normal; open; audited', async () => {
    const r = await raise();
    expect(r).toMatchObject({
      id: 'REQ-000001',
      status: 'open',
      priority: 'normal',
      created_by_login: null,
      contact_email: 'ewa@sp12.example',
    });
    await expect(raise(undefined, { contact_email: 'ola@sch2.example' })).rejects.toThrow(
      'contact_email: "ola@sch2.example": is not a contact of account SCH-001',
    );
    await expect(raise(undefined, { priority: 'asap' })).rejects.toThrow('priority: "asap": must be one of low, normal, high, urgent');
    expect((await listAudit(t.db, { entity: 'request' })).map((a) => a.action)).toEqual(['add']);
  });

  it('--by: refused while the setting is off, then allowed for the account manager, a subscription manager and, that day, their backup', async () => {
    await expect(raise('anna')).rejects.toThrow(/manager-requests.*acctmgr settings set manager-requests on/);
    await setSetting(t.db, op, 'manager-requests', 'on');
    await expect(raise('nobody')).rejects.toThrow('by: "nobody": no manager with this login');
    expect((await raise('anna')).created_by_login).toBe('anna');
    expect((await raise('ben')).created_by_login).toBe('ben');
    const refused = await raise('dan').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toBe(
      'manager dan does not manage account SCH-001 or one of its subscriptions, and is not on 2026-11-25 the backup of one who does',
    );
    await t.seed.leave(ids.anna!, ids.cleo!, '2026-11-20', '2026-11-30');
    expect((await raise('cleo')).created_by_login).toBe('cleo');
    await expect(
      addRequest(
        t.db,
        testOp({ asOf: '2026-12-01' }),
        { account_external_id: 'SCH-001', contact_email: 'ewa@sp12.example', subject: 's' },
        'cleo',
      ),
    ).rejects.toThrow('manager cleo does not manage account SCH-001');
    expect(await listRequests(t.db)).toHaveLength(3);
  });

  it('status: edit moves forward one or more steps, close from any state, reopen from resolved or closed; anything else names the allowed moves', async () => {
    await raise();
    expect((await editRequest(t.db, op, 'req-000001', { status: 'resolved' })).status).toBe('resolved');
    await expect(editRequest(t.db, op, 'REQ-000001', { status: 'in_progress' })).rejects.toThrow(
      'request REQ-000001 is resolved: it cannot move to in_progress; allowed: close, reopen',
    );
    expect((await reopenRequest(t.db, op, 'REQ-000001')).status).toBe('open');
    await expect(reopenRequest(t.db, op, 'REQ-000001')).rejects.toThrow(
      'request REQ-000001 is open: it cannot be reopened; allowed: edit --status in_progress|resolved, close',
    );
    expect((await editRequest(t.db, op, 'REQ-000001', { status: 'in_progress', priority: 'urgent' })).priority).toBe('urgent');
    await expect(editRequest(t.db, op, 'REQ-000001', { status: 'closed' })).rejects.toThrow('allowed: edit --status resolved, close');
    expect((await closeRequest(t.db, op, 'REQ-000001')).status).toBe('closed');
    await expect(closeRequest(t.db, op, 'REQ-000001')).rejects.toThrow(
      'request REQ-000001 is closed: it cannot be closed; allowed: reopen',
    );
    expect((await showRequest(t.db, 'REQ-000001')).status).toBe('closed');
  });

  it('list --manager: every request of every account the manager is associated with', async () => {
    await raise();
    await addRequest(t.db, op, { account_external_id: 'SCH-002', contact_email: 'ola@sch2.example', subject: 'other' });
    const of = async (m: string) => (await listRequests(t.db, { manager: m })).map((r) => r.account_external_id);
    expect(await of('anna')).toEqual(['SCH-001']);
    expect(await of('ben')).toEqual(['SCH-001']);
    expect(await of('dan')).toEqual(['SCH-002']);
    expect(await of('cleo')).toEqual([]);
    expect((await listRequests(t.db, { status: 'open', account: 'SCH-002' })).map((r) => r.id)).toEqual(['REQ-000002']);
  });

  it('a removed contact: refused for a new request (saying it is removed, how to bring it back), accepted as history in an import', async () => {
    await removeContact(t.db, op, 'ewa@sp12.example');
    await expect(raise()).rejects.toThrow(
      'contact_email: "ewa@sp12.example": is a removed contact of account SCH-001 ' +
        '(bring it back first with: acctmgr contacts edit ewa@sp12.example --account SCH-001 --status active)',
    );
    const out = await new Importer(t).run(
      'requests',
      'id,account_external_id,contact_email,subject,status,created_at\n' +
        'REQ-000007,SCH-001,EWA@sp12.example,Raised before ewa left,closed,2026-01-10T10:00:00Z\n',
    );
    expect(out.errors).toEqual([]);
    expect(await showRequest(t.db, 'REQ-000007')).toMatchObject({ contact_email: 'ewa@sp12.example', status: 'closed' });
  });

  it('import and export: id the key, an empty one the next; status and timestamps as given', async () => {
    await raise();
    const out = await new Importer(t).run(
      'requests',
      'id,account_external_id,contact_email,subject,priority,status,created_by_login,created_at\n' +
        ',SCH-001,ewa@sp12.example,Old request,high,closed,anna,2026-01-10T10:00:00Z\n' +
        'REQ-000001,SCH-001,ewa@sp12.example,Parent app login (renamed),,,,\n' +
        ',SCH-001,ola@sch2.example,Bad contact,,,,\n',
    );
    expect(out.errors.map((e) => e.replace(/^.*?:(\d+): /, '$1: '))).toEqual([
      '4: contact_email: "ola@sch2.example": is not a contact of account SCH-001',
    ]);
    const ok = await new Importer(t).run(
      'requests',
      'id,account_external_id,contact_email,subject,priority,status,created_by_login,created_at\n' +
        ',SCH-001,ewa@sp12.example,Old request,high,closed,anna,2026-01-10T10:00:00Z\n' +
        'REQ-000001,SCH-001,ewa@sp12.example,Parent app login (renamed),,,,\n',
    );
    expect(ok.summary).toMatchObject({ inserted: 1, updated: 1 });
    expect(await showRequest(t.db, 'REQ-000002')).toMatchObject({
      status: 'closed',
      created_by_login: 'anna',
      created_at: '2026-01-10T10:00:00Z',
      updated_at: '2026-01-10T10:00:00Z',
    });
    expect((await showRequest(t.db, 'REQ-000001')).subject).toBe('Parent app login (renamed)');
  });
});
