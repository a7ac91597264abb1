import { describe, expect, it } from 'vitest';
import { addGroup, ensureGroup, listGroups, removeGroup, renameGroup } from '../../src/accounts/groups.js';
import { showAccount } from '../../src/accounts/query.js';
import { addAccount } from '../../src/accounts/service.js';
import { listAudit } from '../../src/audit/audit.js';
import { ConflictError, InvalidDataError, NotFoundError } from '../../src/errors.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb();

describe('groups', () => {
  it('ensureGroup creates once (audited) and then finds the group in any case', async () => {
    const a = await ensureGroup(t.db, op, 'Sofia');
    const b = await ensureGroup(t.db, op, 'SOFIA');
    expect(b.id).toBe(a.id);
    expect(b.name).toBe('Sofia');
    expect(await listAudit(t.db, { entity: 'group' })).toEqual([
      expect.objectContaining({ action: 'add', key: 'Sofia', after: { name: 'Sofia' } }),
    ]);
  });

  it('add refuses an existing name (any case) and an empty one', async () => {
    await addGroup(t.db, op, 'North');
    await expect(addGroup(t.db, op, 'north')).rejects.toBeInstanceOf(ConflictError);
    await expect(addGroup(t.db, op, '  ')).rejects.toBeInstanceOf(InvalidDataError);
  });

  it('lists groups with their account counts', async () => {
    await addGroup(t.db, op, 'empty');
    await addAccount(t.db, op, { external_id: 'A', name: 'A', type: 'school', group: 'North' });
    await addAccount(t.db, op, { external_id: 'B', name: 'B', type: 'school', group: 'north' });
    expect(await listGroups(t.db, op)).toEqual([
      { name: 'empty', account_count: 0 },
      { name: 'North', account_count: 2 },
    ]);
  });

  it('rename keeps the accounts, allows a case change, refuses a clash', async () => {
    await addAccount(t.db, op, { external_id: 'A', name: 'A', type: 'school', group: 'North' });
    await addGroup(t.db, op, 'South');
    await expect(renameGroup(t.db, op, 'north', 'SOUTH')).rejects.toBeInstanceOf(ConflictError);
    await expect(renameGroup(t.db, op, 'nowhere', 'x')).rejects.toBeInstanceOf(NotFoundError);
    expect(await renameGroup(t.db, op, 'north', 'NORTH')).toEqual({ name: 'NORTH', account_count: 1 });
    expect((await showAccount(t.db, op, 'A')).group).toBe('NORTH');
    expect((await listAudit(t.db, { entity: 'group' })).at(-1)).toMatchObject({
      action: 'rename',
      before: { name: 'North' },
      after: { name: 'NORTH' },
    });
    // the same name again changes nothing and is not audited
    const audited = (await listAudit(t.db, { entity: 'group' })).length;
    expect(await renameGroup(t.db, op, 'north', 'NORTH')).toEqual({ name: 'NORTH', account_count: 1 });
    expect(await listAudit(t.db, { entity: 'group' })).toHaveLength(audited);
  });

  it('remove leaves its accounts without a group, or moves them to --move-to (created)', async () => {
    await addAccount(t.db, op, { external_id: 'A', name: 'A', type: 'school', group: 'Old' });
    await addAccount(t.db, op, { external_id: 'B', name: 'B', type: 'school', group: 'Gone' });
    expect(await removeGroup(t.db, op, 'old', 'New')).toEqual({ name: 'Old', accounts: ['A'], moved_to: 'New' });
    expect((await showAccount(t.db, op, 'A')).group).toBe('New');
    expect(await removeGroup(t.db, op, 'gone')).toEqual({ name: 'Gone', accounts: ['B'], moved_to: null });
    expect((await showAccount(t.db, op, 'B')).group).toBeNull();
    await expect(removeGroup(t.db, op, 'new', 'NEW')).rejects.toThrow(/being removed/);
    expect((await listGroups(t.db, op)).map((g) => g.name)).toEqual(['New']);
    const actions = (await listAudit(t.db, { entity: 'group' })).map((a) => `${a.action}:${a.key}`);
    expect(actions).toEqual(['add:Old', 'add:Gone', 'add:New', 'remove:Old', 'remove:Gone']);
  });
});
