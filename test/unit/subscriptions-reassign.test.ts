import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { holdings, reassign, removeManager } from '../../src/composites/reassign.js';
import { getManager } from '../../src/managers/service.js';
import { listSubscriptions } from '../../src/subscriptions/service.js';
import { showSubscription } from '../../src/subscriptions/show.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const sub = (external_id: string, account: string, manager?: string) =>
  addSubscription(t.db, op, {
    external_id,
    account_external_id: account,
    plan: 'BIO-BASIC',
    students: 10,
    term_months: 12,
    start_date: '2026-01-01',
    manager_login: manager,
  });

const t = eachTestDb(async () => {
  await t.seed.standardSet(op);
  await sub('A1', 'SCH-1'); // anna
  await sub('A2', 'SCH-2'); // anna
  await sub('B1', 'SCH-1', 'bob'); // bob on anna's account
});

const managers = async () => Object.fromEntries((await listSubscriptions(t.db, op)).map((s) => [s.external_id, s.manager_login]));

describe('managers reassign with subscriptions', () => {
  it("moves all of FROM's accounts and subscriptions, audited and in each history", async () => {
    await t.db
      .insertInto('managers')
      .values({
        login: 'cara',
        name: 'Cara',
        email: 'cara@vendor.example',
        email_key: 'cara@vendor.example',
        status: 'active',
        created_at: op.now,
        updated_at: op.now,
      })
      .execute();
    const r = await reassign(t.db, op, 'anna', 'cara');
    expect(r).toEqual({ from: 'anna', to: 'cara', accounts: ['SCH-1', 'SCH-2'], subscriptions: ['A1', 'A2'] });
    expect(await managers()).toEqual({ A1: 'cara', A2: 'cara', B1: 'bob' });
    const audit = (await listAudit(t.db, { entity: 'subscription' })).filter((a) => a.action === 'reassign');
    expect(audit.map((a) => a.key)).toEqual(['A1', 'A2']);
    expect((await showSubscription(t.db, op.asOf, 'A1')).history.at(-1)).toMatchObject({
      event: 'reassign',
      details: { from: 'anna', to: 'cara' },
    });
  });

  it('with --account moves only the subscriptions FROM manages on those accounts', async () => {
    const r = await reassign(t.db, op, 'anna', 'bob', ['sch-2']);
    expect(r.subscriptions).toEqual(['A2']);
    expect(await managers()).toEqual({ A1: 'anna', A2: 'bob', B1: 'bob' });
  });

  it('holdings count subscriptions; remove refuses while they exist, hands them over with --reassign-to', async () => {
    const bob = await getManager(t.db, 'bob');
    expect(await holdings(t.db, bob.id, op.asOf)).toEqual({ accounts: [], subscriptions: ['B1'], backup_for: [] });
    await expect(removeManager(t.db, op, 'bob')).rejects.toThrow(/manages 1 subscription\(s\): B1/);
    await removeManager(t.db, op, 'bob', 'anna');
    expect(await managers()).toEqual({ A1: 'anna', A2: 'anna', B1: 'anna' });
  });
});
