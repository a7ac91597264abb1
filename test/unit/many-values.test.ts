/**
 * Lists that grow with the data reach the database a chunk at a time (src/db/chunks.ts): one statement
 * binds at most 32,766 values on SQLite and 65,535 on PostgreSQL, and before these tests a manager
 * holding 40,000 accounts could not be reassigned ("too many SQL variables"). Each test passes more than
 * either engine binds: 70,000 accounts, a renewal of 10,000 seats, 70,000 notices.
 */
import { sql, type Kysely } from '#kysely';
import { describe, expect, it } from 'vitest';
import { reassign } from '../../src/composites/reassign.js';
import { renewSubscription } from '../../src/composites/renew.js';
import { insertChunks } from '../../src/db/chunks.js';
import type { DB } from '../../src/db/schema/index.js';
import { writeTx } from '../../src/db/tx.js';
import { foldKey } from '../../src/lib/keys.js';
import { settleInDoubt } from '../../src/notices/settle.js';
import { collectCustomerNotices } from '../../src/remind/customer.js';
import { collectManagerChanged } from '../../src/remind/manager-changed.js';
import { eachTestDb, testOp } from '../helpers/db.js';

const MANY = 70_000;
const NOW = '2026-11-25T09:00:00Z';
const stamps = { created_at: NOW, updated_at: NOW };

const t = eachTestDb();

async function insertAll<T extends keyof DB>(db: Kysely<DB>, table: T, rows: readonly Record<string, unknown>[]): Promise<void> {
  const loose = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const chunk of insertChunks(rows)) await loose.insertInto(table).values(chunk).execute();
}

/**
 * MANY accounts A-0 … held by anna, each with a primary contact head<i>@school.example, a subscription S-<i>
 * anna manages and an overdue invoice INV-<i>: rows made by the database (a recursive count), not sent.
 */
async function manyAccounts(): Promise<void> {
  const { db, seed } = t;
  const anna = await seed.manager('anna');
  await seed.manager('ben');
  await seed.catalogue();
  const plan = await db.selectFrom('plans').select(['id', 'product_id']).where('code', '=', 'BIO-BASIC').executeTakeFirstOrThrow();
  const numbers = sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${sql.lit(MANY - 1)})`;
  const n = sql.raw(`substr(external_id, 3)`);
  await sql`${numbers} insert into accounts (external_id, external_id_key, name, type, status, locale, manager_id, created_at, updated_at)
    select 'A-' || i, 'a-' || i, 'School ' || i, 'school', 'active', 'en', ${anna}, ${NOW}, ${NOW} from n`.execute(db);
  await sql`insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at)
    select id, 'Head ' || ${n}, 'head' || ${n} || '@school.example', 'head' || ${n} || '@school.example', 'director', 1, 'active', ${NOW}, ${NOW}
    from accounts where external_id like 'A-%'`.execute(db);
  await sql`insert into subscriptions (external_id, external_id_key, account_id, product_id, plan_id, students, term_months, start_date,
      end_date, status, manager_id, price_cents, paid_at, created_at, updated_at)
    select 'S-' || ${n}, 's-' || ${n}, id, ${plan.product_id}, ${plan.id}, 100, 12, '2026-01-15', '2027-01-14', 'active', ${anna}, 45000,
      '2026-01-10', ${NOW}, ${NOW}
    from accounts where external_id like 'A-%'`.execute(db);
  await sql`insert into invoices (number, number_key, year, seq, account_id, lines_json, amount_cents, currency, issued_on, due_on,
      status, created_at, updated_at)
    select 'INV-' || ${n}, 'inv-' || ${n}, 2026, id, id, '[]', 45000, 'EUR', '2026-10-20', '2026-11-03', 'issued', ${NOW}, ${NOW}
    from accounts where external_id like 'A-%'`.execute(db);
}

const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);

describe(`statements over more values than an engine binds (${MANY.toLocaleString('en')} rows)`, () => {
  it('managers reassign moves 70,000 accounts and their subscriptions; remind then tells each primary contact once and reminds each overdue invoice', async () => {
    await manyAccounts();
    const op = testOp();
    const customer = await collectCustomerNotices(t.db, op.asOf);
    expect(new Set(customer.map((n) => n.invoice.number)).size).toBe(MANY);
    expect(customer.every((n) => n.recipient.email === `head${n.invoice.number.slice(4)}@school.example`)).toBe(true);

    const moved = await writeTx(t.db, (db) => reassign(db, op, 'anna', 'ben'));
    expect([moved.accounts.length, moved.subscriptions.length]).toEqual([MANY, MANY]);
    const { db } = t;
    const ben = (await db.selectFrom('managers').select('id').where('login', '=', 'ben').executeTakeFirstOrThrow()).id;
    const n = (table: 'accounts' | 'subscriptions') =>
      count(
        db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('manager_id', '=', ben)
          .executeTakeFirstOrThrow(),
      );
    expect([await n('accounts'), await n('subscriptions')]).toEqual([MANY, MANY]);
    const audited = await db
      .selectFrom('audit_log')
      .select(['entity', (eb) => eb.fn.countAll().as('n')])
      .where('action', '=', 'reassign')
      .groupBy('entity')
      .orderBy('entity')
      .execute();
    expect(audited.map((r) => [r.entity, Number(r.n)])).toEqual([
      ['account', MANY],
      ['subscription', MANY],
    ]);
    const history = db
      .selectFrom('subscription_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('event', '=', 'reassign');
    expect(await count(history.executeTakeFirstOrThrow())).toBe(MANY);

    const told = await collectManagerChanged(t.db, op.asOf);
    expect(told).toHaveLength(MANY);
    expect(new Set(told.map((x) => x.account.id)).size).toBe(MANY);
    expect(told.every((x) => x.recipient.email === `head${Number(x.account.external_id.slice(2))}@school.example`)).toBe(true);
  });

  it('a renewal carries over 10,000 seats (7 values a seat in its INSERT: 70,000 in all)', async () => {
    const { db, seed } = t;
    const op = testOp();
    await seed.seatSet(op, 'BIG');
    const { id: subscription, account_id: school } = await db
      .selectFrom('subscriptions')
      .select(['id', 'account_id'])
      .where('external_id', '=', 'BIG')
      .executeTakeFirstOrThrow();
    const seats = 10_000;
    await insertAll(
      db,
      'contacts',
      Array.from({ length: seats }, (_, i) => {
        const email = `t${i}@sch1.example`;
        return {
          account_id: school,
          name: `T ${i}`,
          email,
          email_key: foldKey(email),
          role: 'teacher',
          is_primary: 0,
          status: 'active',
          ...stamps,
        };
      }),
    );
    const contacts = await db.selectFrom('contacts').select('id').where('account_id', '=', school).orderBy('id').execute();
    await insertAll(
      db,
      'seats',
      contacts.map((c, i) => ({
        subscription_id: subscription,
        contact_id: c.id,
        status: 'active',
        invited_at: '2026-01-15',
        last_login_at: i % 2 ? '2026-11-01T08:00:00Z' : null,
        ...stamps,
      })),
    );
    const next = await writeTx(db, (tx) => renewSubscription(tx, op, 'BIG'));
    const carried = await db
      .selectFrom('seats as st')
      .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
      .select(['st.contact_id', 'st.last_login_at'])
      .where('s.external_id', '=', next.external_id)
      .orderBy('contact_id')
      .execute();
    expect(carried).toHaveLength(seats);
    expect(carried.filter((s) => s.last_login_at === '2026-11-01T08:00:00Z')).toHaveLength(seats / 2);
    expect(carried.map((s) => s.contact_id)).toEqual(contacts.map((c) => c.id));
  });

  it('notices settle takes 70,000 notices in doubt: each settled and audited once', async () => {
    const { db } = t;
    await insertAll(
      db,
      'notices',
      Array.from({ length: MANY }, (_, i) => ({
        kind: 'renewal',
        subject_id: i + 1,
        stage: '30d',
        cycle: '2026-12-31',
        due_date: '2026-12-01',
        status: 'in_doubt',
        recipient_email: 'anna@vendor.example',
        account_external_id: `A-${i}`,
        subscription_external_id: `S-${i}`,
        run_id: 'run-1',
        claimed_by: 'elsewhere:1',
        ...stamps,
        sent_at: null,
      })),
    );
    const ids = (await db.selectFrom('notices').select('id').execute()).map((r) => r.id);
    const settled = await writeTx(db, (tx) => settleInDoubt(tx, testOp(), ids, 'sent'));
    expect(settled.map((r) => r.id)).toEqual([...ids].sort((a, b) => a - b));
    expect(settled.every((r) => r.status === 'sent')).toBe(true);
    const left = db
      .selectFrom('notices')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '!=', 'sent');
    expect(await count(left.executeTakeFirstOrThrow())).toBe(0);
    const audited = db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('action', '=', 'settle');
    expect(await count(audited.executeTakeFirstOrThrow())).toBe(MANY);
  });
});
