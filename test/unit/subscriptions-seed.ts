/** Seed rows for the subscription and seat tests, inserted directly so they do not depend on other services. */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema/index.js';
import { addManager } from '../../src/managers/service.js';
import type { Op } from '../../src/op.js';
import { foldKey } from '../../src/lib/keys.js';

const NOW = '2026-01-01T00:00:00Z';

export async function seedCatalog(db: Kysely<DB>): Promise<void> {
  const { id: productId } = await db.insertInto('products').values({ code: 'BIO', code_key: 'bio', name: 'Biology', created_at: NOW, updated_at: NOW }).returning('id').executeTakeFirstOrThrow();
  const { id: otherProduct } = await db.insertInto('products').values({ code: 'DIARY', code_key: 'diary', name: 'E-diary', created_at: NOW, updated_at: NOW }).returning('id').executeTakeFirstOrThrow();
  const plan = async (code: string, product: number, legacy = 0) =>
    (await db.insertInto('plans').values({ code, code_key: foldKey(code), name: code, product_id: product, currency: 'EUR', modules: '', legacy, created_at: NOW, updated_at: NOW }).returning('id').executeTakeFirstOrThrow()).id;
  const price = (plan_id: number, max_students: number | null, term_months: number, amount_cents: number) =>
    db.insertInto('plan_prices').values({ plan_id, max_students, term_months, amount_cents, created_at: NOW, updated_at: NOW }).execute();
  const basic = await plan('BIO-BASIC', productId);
  await price(basic, 100, 12, 45_000);
  await price(basic, 300, 12, 80_000);
  await price(basic, 300, 24, 140_000);
  const max = await plan('BIO-MAX', productId);
  await price(max, 100, 12, 60_000);
  await price(max, 300, 12, 100_000);
  await price(max, 300, 24, 180_000);
  const old = await plan('BIO-OLD', productId, 1);
  await price(old, 300, 12, 30_000);
  const tutor = await plan('BIO-TUTOR', productId);
  await price(tutor, null, 12, 9_900);
  const diary = await plan('DIARY-STD', otherProduct);
  await price(diary, 500, 12, 120_000);
}

export async function seedAccount(db: Kysely<DB>, externalId: string, type: string, managerLogin: string | null): Promise<number> {
  const manager = managerLogin
    ? await db.selectFrom('managers').select('id').where('login', '=', managerLogin).executeTakeFirstOrThrow()
    : undefined;
  const row = await db
    .insertInto('accounts')
    .values({ external_id: externalId, external_id_key: foldKey(externalId), name: externalId, type, status: 'active', manager_id: manager?.id ?? null, created_at: NOW, updated_at: NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Managers anna and bob, accounts SCH-1 (anna), SCH-2 (anna), TUT-1 (tutor), and the catalogue. */
export async function seedAll(db: Kysely<DB>, op: Op): Promise<void> {
  await addManager(db, op, { login: 'anna', name: 'Anna', email: 'anna@vendor.example' });
  await addManager(db, op, { login: 'bob', name: 'Bob', email: 'bob@vendor.example' });
  await seedCatalog(db);
  await seedAccount(db, 'SCH-1', 'school', 'anna');
  await seedAccount(db, 'SCH-2', 'school', 'anna');
  await seedAccount(db, 'TUT-1', 'tutor', null);
}
