/**
 * Direct inserts for the remind tests, so they do not depend on the accounts/subscriptions/seats
 * services. Defaults make a paid, running school subscription with a manager.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema/index.js';
import { foldKey } from '../../src/lib/keys.js';

const NOW = '2026-01-01T00:00:00Z';

export interface SubOptions {
  account?: number;
  manager?: number | null;
  start_date?: string;
  end_date?: string;
  status?: string;
  paid_at?: string | null;
  activation_code?: string | null;
  renewed_from?: number | null;
}

export function seeder(db: Kysely<DB>) {
  let productId: number | undefined;
  let planId: number | undefined;
  let n = 0;
  async function productPlan(): Promise<[number, number]> {
    if (productId === undefined || planId === undefined) {
      productId = (await db.insertInto('products').values({ code: 'BIO', code_key: 'bio', name: 'Biology site', created_at: NOW, updated_at: NOW }).returning('id').executeTakeFirstOrThrow()).id;
      planId = (await db.insertInto('plans').values({ code: 'BASIC', code_key: 'basic', name: 'Basic', product_id: productId, currency: 'EUR', modules: '', legacy: 0, created_at: NOW, updated_at: NOW }).returning('id').executeTakeFirstOrThrow()).id;
    }
    return [productId, planId];
  }
  const api = {
    async manager(login: string, extra: { status?: string; name?: string } = {}): Promise<number> {
      const r = await db
        .insertInto('managers')
        .values({ login, name: extra.name ?? login.toUpperCase(), email: `${login}@vendor.example`, email_key: foldKey(`${login}@vendor.example`), status: extra.status ?? 'active', created_at: NOW, updated_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async leave(managerId: number, backupId: number, from: string, until: string | null = null): Promise<void> {
      await db.insertInto('manager_leaves').values({ manager_id: managerId, backup_id: backupId, from_date: from, until_date: until, created_at: NOW }).execute();
    },
    async account(externalId: string, o: { manager?: number | null; type?: string; locale?: string | null; status?: string; name?: string } = {}): Promise<number> {
      const r = await db
        .insertInto('accounts')
        .values({
          external_id: externalId,
          external_id_key: foldKey(externalId),
          name: o.name ?? `School ${externalId}`,
          type: o.type ?? 'school',
          status: o.status ?? 'active',
          locale: o.locale ?? 'en',
          manager_id: o.manager ?? null,
          created_at: NOW,
          updated_at: NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async subscription(externalId: string, o: SubOptions = {}): Promise<number> {
      const [product, plan] = await productPlan();
      const account = o.account ?? (await api.account(`ACC-${externalId}`));
      let manager = o.manager;
      if (manager === undefined) {
        manager = (await db.selectFrom('accounts').select('manager_id').where('id', '=', account).executeTakeFirstOrThrow()).manager_id;
      }
      const r = await db
        .insertInto('subscriptions')
        .values({
          external_id: externalId,
          external_id_key: foldKey(externalId),
          account_id: account,
          product_id: product,
          plan_id: plan,
          students: 100,
          term_months: 12,
          start_date: o.start_date ?? '2026-01-15',
          end_date: o.end_date ?? '2027-01-14',
          status: o.status ?? 'active',
          manager_id: manager,
          price_cents: 80000,
          paid_at: o.paid_at === undefined ? '2026-01-10' : o.paid_at,
          activation_code: o.activation_code ?? null,
          renewed_from_id: o.renewed_from ?? null,
          created_at: NOW,
          updated_at: NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async contact(account: number, email: string, o: { is_primary?: boolean; status?: string; created_at?: string; name?: string } = {}): Promise<number> {
      const r = await db
        .insertInto('contacts')
        .values({
          account_id: account,
          name: o.name ?? email.split('@')[0]!,
          email,
          email_key: foldKey(email),
          role: 'teacher',
          is_primary: o.is_primary ? 1 : 0,
          status: o.status ?? 'active',
          created_at: o.created_at ?? `2026-01-01T00:00:${String(n++ % 60).padStart(2, '0')}Z`,
          updated_at: NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async seat(subscription: number, contact: number, o: { status?: string; invited_at?: string | null; last_login_at?: string | null } = {}): Promise<number> {
      const r = await db
        .insertInto('seats')
        .values({
          subscription_id: subscription,
          contact_id: contact,
          status: o.status ?? 'active',
          invited_at: o.invited_at === undefined ? '2026-01-15' : o.invited_at,
          last_login_at: o.last_login_at ?? null,
          created_at: NOW,
          updated_at: NOW,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async login(seat: number, at: string): Promise<void> {
      await db.insertInto('login_events').values({ seat_id: seat, at }).execute();
    },
    async set(table: 'subscriptions' | 'seats' | 'accounts' | 'contacts', id: number, values: Record<string, unknown>): Promise<void> {
      await db.updateTable(table).set(values as never).where('id', '=', id).execute();
    },
  };
  return api;
}

export type Seeder = ReturnType<typeof seeder>;
