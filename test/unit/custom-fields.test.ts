import { describe, expect, it } from 'vitest';
import { defineField, listFields } from '../../src/accounts/custom-fields.js';
import { listAccounts, showAccount } from '../../src/accounts/query.js';
import { addAccount, editAccount } from '../../src/accounts/service.js';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError } from '../../src/errors.js';
import { exportEntity } from '../../src/export/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const op = testOp();
const t = eachTestDb();

const add = (external_id: string, fields: Record<string, unknown> = {}) =>
  addAccount(t.db, op, { external_id, name: external_id, type: 'school', fields });

async function defineAll(): Promise<void> {
  await defineField(t.db, op, { name: 'crm_id', type: 'text', required: true });
  await defineField(t.db, op, { name: 'seats', type: 'number' });
  await defineField(t.db, op, { name: 'signed_on', type: 'date' });
  await defineField(t.db, op, { name: 'vip', type: 'bool' });
}

describe('custom fields', () => {
  it('defines fields (audited), refusing bad names, types and duplicates', async () => {
    const f = await defineField(t.db, op, { name: 'CRM_ID', type: 'Text', required: true });
    expect(f).toMatchObject({ name: 'crm_id', type: 'text', required: true });
    await expect(defineField(t.db, op, { name: 'crm_id', type: 'text' })).rejects.toBeInstanceOf(ConflictError);
    await expect(defineField(t.db, op, { name: 'x', type: 'colour' })).rejects.toThrow(/type: "colour"/);
    await expect(defineField(t.db, op, { name: 'two words', type: 'text' })).rejects.toBeInstanceOf(InvalidDataError);
    await expect(defineField(t.db, op, { name: 'region', type: 'text' })).rejects.toThrow(/account field/);
    expect(await listAudit(t.db, { entity: 'field' })).toEqual([
      expect.objectContaining({ action: 'define', key: 'crm_id', after: { name: 'crm_id', type: 'text', required: true } }),
    ]);
  });

  it("refuses every key of accounts show's record, and names the importer refuses as password columns", async () => {
    await add('A');
    const keys = Object.keys(await showAccount(t.db, op, 'A'));
    expect(keys).toEqual(expect.arrayContaining(['trainings', 'last_activity', 'next_activity', 'contact_count']));
    for (const name of [...keys, 'error'])
      await expect(defineField(t.db, op, { name, type: 'text' }), name).rejects.toThrow(/account field or output key/);
    for (const name of ['password', 'my_password', 'password_hash'])
      await expect(defineField(t.db, op, { name, type: 'text' }), name).rejects.toThrow(
        `name: "${name}": names a password column, which imports refuse (passwords are never imported)`,
      );
    expect(await listFields(t.db, op)).toEqual([]);
  });

  it('stores typed values and shows them typed under fields (null when unset)', async () => {
    await defineAll();
    const a = await add('A', { crm_id: 'C-1', SEATS: '12.50', signed_on: '2026-02-28', vip: 'yes' });
    expect(a.fields).toEqual({ crm_id: 'C-1', seats: 12.5, signed_on: '2026-02-28', vip: true });
    await add('B', { crm_id: 'C-2', vip: '0' });
    expect((await showAccount(t.db, op, 'B')).fields).toEqual({ crm_id: 'C-2', seats: null, signed_on: null, vip: false });
    expect((await listAccounts(t.db, op)).map((r) => r.fields.crm_id)).toEqual(['C-1', 'C-2']);
    expect(await listFields(t.db, op)).toContainEqual({ name: 'seats', type: 'number', required: false, account_count: 1 });
  });

  it('names every bad value and unknown field at once', async () => {
    await defineAll();
    const err = await add('A', { crm_id: 'x', seats: 'ten', signed_on: '2026-02-30', vip: 'maybe', colour: 'red' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as InvalidDataError).problems.map((p) => p.field)).toEqual(['seats', 'signed_on', 'vip', 'colour']);
    expect((err as Error).message).toContain('colour: "red": is not a defined custom field');
    expect(await listAccounts(t.db, op)).toEqual([]);
  });

  it('enforces required fields on add', async () => {
    await defineAll();
    await expect(add('A', { seats: '1' })).rejects.toThrow(/crm_id: "": is a required custom field/);
    await expect(add('A', { crm_id: '  ' })).rejects.toThrow(/crm_id/);
  });

  it('on edit, refuses to clear a required field and requires one the account lacks', async () => {
    await add('OLD');
    await defineAll();
    // OLD predates the required field: any edit must now set it
    await expect(editAccount(t.db, op, 'OLD', { region: 'north' })).rejects.toThrow(/crm_id/);
    const e = await editAccount(t.db, op, 'OLD', { region: 'north', fields: { crm_id: 'C-9', seats: '3' } });
    expect(e.fields).toMatchObject({ crm_id: 'C-9', seats: 3 });
    await expect(editAccount(t.db, op, 'OLD', { fields: { crm_id: '' } })).rejects.toThrow(/required custom field/);
    const cleared = await editAccount(t.db, op, 'OLD', { fields: { seats: '' } });
    expect(cleared.fields.seats).toBeNull();
    const audit = (await listAudit(t.db, { entity: 'account' })).at(-1);
    expect(audit).toMatchObject({ action: 'edit', before: { fields: { seats: 3 } }, after: { fields: { seats: null } } });
  });

  it('an account stored before a field was made required: its own export imports back unchanged; a row that changes it must set the field', async () => {
    await addAccount(t.db, op, { external_id: 'A1', name: 'n', type: 'school', group: 'North' });
    await defineField(t.db, op, { name: 'crm', type: 'text', required: true });
    let csv = '';
    await exportEntity(t.handle, 'accounts', 'csv', (c) => (csv += c));
    const imp = new Importer(t);
    const again = await imp.run('accounts', csv);
    expect(again.errors).toEqual([]);
    expect(again.summary).toMatchObject({ batch_id: null, inserted: 0, updated: 0, unchanged: 1, rejected: 0 });
    const changed = await imp.run('accounts', csv.replace(',n,', ',renamed,'));
    expect(changed.errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'))).toEqual(['2: crm: "": is a required custom field']);
    const moved = await imp.run('accounts', 'external_id,name,type,group\nA1,n,school,South\n');
    expect(moved.errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'))).toEqual(['2: crm: "": is a required custom field']);
    expect(await t.db.selectFrom('account_groups').select('name').execute()).toEqual([{ name: 'North' }]);
  });

  it('reports how many existing accounts lack a newly required field', async () => {
    await add('A');
    await add('B');
    expect((await defineField(t.db, op, { name: 'crm_id', type: 'text', required: true })).accounts_missing).toBe(2);
    expect((await defineField(t.db, op, { name: 'note', type: 'text' })).accounts_missing).toBe(0);
  });
});

describe('a required custom field given a bad value', () => {
  it('is reported once, as the bad value, by add, edit and the accounts import (not also as missing)', async () => {
    await defineField(t.db, op, { name: 'vip', type: 'bool', required: true });
    const only = [{ field: 'vip', value: 'maybe', rule: 'must be true or false (also accepted: yes/no, 1/0)' }];
    await expect(add('A', { vip: 'maybe' })).rejects.toMatchObject({ problems: only });
    await add('B', { vip: 'yes' });
    await expect(editAccount(t.db, op, 'B', { fields: { vip: 'maybe' } })).rejects.toMatchObject({ problems: only });
    // still missing when no value is given
    await expect(add('C')).rejects.toMatchObject({ problems: [{ field: 'vip', value: '', rule: 'is a required custom field' }] });
    const out = await new Importer(t).run('accounts', 'external_id,name,type,vip\nV-1,X,guest,maybe\nV-2,Y,guest,\n');
    expect(out.errors.map((e) => e.replace(/^.*accounts\.csv:/, ''))).toEqual([
      '2: vip: "maybe": must be true or false (also accepted: yes/no, 1/0)',
      '3: vip: "": is a required custom field',
    ]);
  });
});
