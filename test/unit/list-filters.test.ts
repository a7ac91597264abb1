/**
 * List filters that can match nothing are refused (docs/basics.md, Conventions): an account, manager,
 * product, plan or subscription that does not exist is not found, a `--to` before `--from` is invalid —
 * never an empty list. The same filters with existing values still list what they match.
 */
import { describe, expect, it } from 'vitest';
import { addSeat } from '../../src/composites/seats.js';
import { InvalidDataError, NotFoundError } from '../../src/errors.js';
import { issueForSubscription, listInvoices } from '../../src/invoices/service.js';
import { listSeats } from '../../src/seats/service.js';
import { listSubscriptions } from '../../src/subscriptions/service.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const op = testOp();
const t = eachTestDb(async () => {
  await t.seed.seatSet(op);
  await addSeat(t.db, op, { email: 't@x.example', subscription: 'S1' });
});

describe('list filters that can match nothing', () => {
  it('subscriptions list: an unknown account, manager, product or plan is not found', async () => {
    for (const [f, entity] of [
      [{ account: 'NOPE' }, 'account'],
      [{ manager: 'nope' }, 'manager'],
      [{ product: 'NOPE' }, 'product'],
      [{ plan: 'NOPE' }, 'plan'],
    ] as const) {
      const refused = listSubscriptions(t.db, op, f);
      await expect(refused).rejects.toBeInstanceOf(NotFoundError);
      await expect(refused).rejects.toThrow(`${entity} not found: "${Object.values(f)[0]}"`);
    }
    // existing ones, with nothing of theirs, are an empty list
    expect(await listSubscriptions(t.db, op, { account: 'sch-2', manager: 'BOB', product: 'bio', plan: 'bio-basic' })).toEqual([]);
    expect((await listSubscriptions(t.db, op, { account: 'sch-1', manager: 'ANNA' })).map((s) => s.external_id)).toEqual(['S1']);
  });

  it('seats list: an unknown subscription or account is not found', async () => {
    await expect(listSeats(t.db, { subscription: 'NOPE' })).rejects.toThrow('subscription not found: "NOPE"');
    await expect(listSeats(t.db, { account: 'NOPE' })).rejects.toThrow('account not found: "NOPE"');
    expect((await listSeats(t.db, { subscription: 's1', account: 'sch-1' })).map((s) => s.email)).toEqual(['t@x.example']);
    expect(await listSeats(t.db, { account: 'SCH-2' })).toEqual([]);
  });

  it('invoices list: --to before --from is refused with the words of trainings and activities list', async () => {
    await issueForSubscription(t.db, op, 'S1', { on: '2026-06-01' });
    const refused = listInvoices(t.db, op, { from: '2026-12-01', to: '2026-01-01' });
    await expect(refused).rejects.toBeInstanceOf(InvalidDataError);
    await expect(refused).rejects.toThrow('to: "2026-01-01": is before --from (2026-12-01)');
    expect(await listInvoices(t.db, op, { from: '2026-06-01', to: '2026-06-01' })).toHaveLength(1);
  });
});
