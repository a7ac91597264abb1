/**
 * seats.removed_at (migration 0011): backfilled for seats removed before it — the date of the latest
 * `remove` audit row of the seat, else the date of updated_at — and kept up to date by `seats remove`,
 * a re-invitation and a seats import.
 */
import { describe, expect, it } from 'vitest';
import { addSeat } from '../../src/composites/seats.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { exportEntity } from '../../src/export/service.js';
import { removeSeat } from '../../src/seats/service.js';
import { dbMigratedTo, eachTestDb, removeDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const NOW = '2025-01-01T00:00:00Z';

describe('migration 0011: seats.removed_at', () => {
  it('is filled from the audit log (the latest removal), else from updated_at; seats not removed stay null', async () => {
    const h = await dbMigratedTo('0009_requests');
    const db = h.db as any;
    try {
      const id = async (table: string, values: Record<string, unknown>) =>
        (await db.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow()).id as number;
      const account = await id('accounts', {
        external_id: 'A',
        external_id_key: 'a',
        name: 'A',
        type: 'school',
        status: 'active',
        created_at: NOW,
        updated_at: NOW,
      });
      const product = await id('products', { code: 'P', code_key: 'p', name: 'P', created_at: NOW, updated_at: NOW });
      const plan = await id('plans', {
        code: 'PL',
        code_key: 'pl',
        name: 'PL',
        product_id: product,
        currency: 'EUR',
        created_at: NOW,
        updated_at: NOW,
      });
      const sub = await id('subscriptions', {
        external_id: 'S-1',
        external_id_key: 's-1',
        account_id: account,
        product_id: product,
        plan_id: plan,
        students: 1,
        term_months: 12,
        start_date: '2025-01-01',
        end_date: '2025-12-31',
        status: 'active',
        price_cents: 1,
        created_at: NOW,
        updated_at: NOW,
      });
      const seat = async (email: string, status: string, updatedAt: string) => {
        const contact = await id('contacts', {
          account_id: account,
          email,
          email_key: email,
          role: 'teacher',
          status: 'active',
          created_at: NOW,
          updated_at: NOW,
        });
        return id('seats', {
          subscription_id: sub,
          contact_id: contact,
          status,
          invited_at: '2025-01-02',
          created_at: NOW,
          updated_at: updatedAt,
        });
      };
      const audited = await seat('a@x.example', 'removed', '2025-09-09T10:00:00Z');
      const unaudited = await seat('b@x.example', 'removed', '2025-06-30T23:59:59Z');
      const live = await seat('c@x.example', 'active', '2025-05-05T10:00:00Z');
      const audit = (key: string, at: string, action = 'remove') =>
        db.insertInto('audit_log').values({ at, actor: 'x', action, entity: 'seat', entity_key: key }).execute();
      await audit('S-1/a@x.example', '2025-03-10T08:00:00Z');
      await audit('S-1/a@x.example', '2025-04-20T08:00:00Z'); // removed, invited again, removed again
      await audit('S-1/a@x.example', '2025-08-01T08:00:00Z', 'add');
      await audit('S-1/c@x.example', '2025-02-01T08:00:00Z'); // removed once, now active again
      await migrateToLatest(h.db);
      const rows = await db.selectFrom('seats').select(['id', 'removed_at']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: audited, removed_at: '2025-04-20' },
        { id: unaudited, removed_at: '2025-06-30' },
        { id: live, removed_at: null },
      ]);
    } finally {
      await h.close();
      await removeDb(h.path);
    }
  });
});

describe('seats.removed_at is kept up to date', () => {
  const op = testOp({ asOf: '2026-03-31' });
  const t = eachTestDb(async () => {
    await t.seed.seatSet(op);
  });
  const removedAt = async () => (await t.db.selectFrom('seats').select('removed_at').executeTakeFirstOrThrow()).removed_at;

  it('seats remove dates the removal on the as-of date; inviting again clears it', async () => {
    await addSeat(t.db, op, { email: 't@school.example', subscription: 'S1' });
    expect(await removedAt()).toBeNull();
    await removeSeat(t.db, op, 't@school.example', 'S1');
    expect(await removedAt()).toBe('2026-03-31');
    await addSeat(t.db, testOp({ asOf: '2026-04-02' }), { email: 't@school.example', subscription: 'S1' });
    expect(await removedAt()).toBeNull();
  });

  it('a seats import that removes dates it on the import as-of date, keeps an earlier date, and clears it when the status changes', async () => {
    await addSeat(t.db, op, { email: 't@school.example', subscription: 'S1' });
    const imp = new Importer(t);
    const file = (status: string) => `subscription_external_id,email,status\nS1,t@school.example,${status}\n`;
    expect((await imp.run('seats', file('removed'), {}, testOp({ asOf: '2026-05-05' }))).failed).toBeFalsy();
    expect(await removedAt()).toBe('2026-05-05');
    await imp.run('seats', file('removed'), {}, testOp({ asOf: '2026-06-06' }));
    await imp.run(
      'seats',
      'subscription_external_id,email,invited_at\nS1,t@school.example,2026-01-01\n',
      {},
      testOp({ asOf: '2026-06-06' }),
    );
    expect(await removedAt()).toBe('2026-05-05');
    await imp.run('seats', file('active'), {}, testOp({ asOf: '2026-07-07' }));
    expect(await removedAt()).toBeNull();
  });

  it('a seats import takes the removal date a row gives, for a removed seat only, and an export gives it back', async () => {
    await addSeat(t.db, op, { email: 't@school.example', subscription: 'S1' });
    const imp = new Importer(t);
    const later = testOp({ asOf: '2026-06-06' });
    const run = (csv: string) => imp.run('seats', `subscription_external_id,email,status,removed_at\n${csv}\n`, {}, later);
    // a seat not removed has no removal date: refused, nothing changes
    const refused = await run('S1,t@school.example,active,2026-02-14');
    expect(refused.failed).toBe(true);
    expect(refused.errors.join('\n')).toContain('removed_at: "2026-02-14": a removal date needs status removed');
    expect((await run('S1,t@school.example,,2026-02-14')).failed).toBe(true);
    expect(await removedAt()).toBeNull();
    // removed on the date given, not on the import's as-of date; then the date alone moved
    expect((await run('S1,t@school.example,removed,2026-02-14')).errors).toEqual([]);
    expect(await removedAt()).toBe('2026-02-14');
    expect((await run('S1,t@school.example,,2026-02-20')).errors).toEqual([]);
    expect(await removedAt()).toBe('2026-02-20');
    let csv = '';
    await exportEntity(t.handle, 'seats', 'csv', (c) => void (csv += c));
    expect(csv.split('\n')[0]).toBe('subscription_external_id,email,status,invited_at,last_login_at,removed_at');
    expect(csv).toContain(',removed,2026-03-31,,2026-02-20\n');
    // the export imported again (another day) keeps the date
    expect((await imp.run('seats', csv, {}, testOp({ asOf: '2026-09-09' }))).errors).toEqual([]);
    expect(await removedAt()).toBe('2026-02-20');
  });
});
