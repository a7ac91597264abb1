/**
 * The one seeder: rows inserted directly (with their key columns), so a test depends on no service but
 * the one it tests. Defaults make a running, paid school subscription with a manager. `catalogue` and
 * `standardSet` are the fixed data set of the subscription, seat and import tests.
 */
import type { Kysely } from '#kysely';
import type { DB } from '../../src/db/schema/index.js';
import { foldKey } from '../../src/lib/keys.js';
import { addManager } from '../../src/managers/service.js';
import { addSubscription } from '../../src/subscriptions/service.js';
import type { Op } from '../../src/op.js';

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

export interface AccountOptions {
  manager?: number | null;
  type?: string;
  /** default 'en'; null for none */
  locale?: string | null;
  status?: string;
  /** default `School EXTERNAL_ID` */
  name?: string;
}

export function seeder(db: Kysely<DB>) {
  let productPlan: Promise<[number, number]> | undefined;
  let n = 0;
  const id = (r: { id: number }) => r.id;
  /** Product BIO with plan BASIC (no prices), made once, for `subscription` rows. */
  const defaultPlan = () =>
    (productPlan ??= (async (): Promise<[number, number]> => {
      const product = id(
        await db
          .insertInto('products')
          .values({ code: 'BIO', code_key: 'bio', name: 'Biology site', created_at: NOW, updated_at: NOW })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      const plan = id(
        await db
          .insertInto('plans')
          .values({
            code: 'BASIC',
            code_key: 'basic',
            name: 'Basic',
            product_id: product,
            currency: 'EUR',
            modules: '',
            legacy: 0,
            created_at: NOW,
            updated_at: NOW,
          })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      return [product, plan];
    })());

  const api = {
    async manager(login: string, extra: { status?: string; name?: string } = {}): Promise<number> {
      const email = `${login}@vendor.example`;
      const values = {
        login,
        name: extra.name ?? login.toUpperCase(),
        email,
        email_key: foldKey(email),
        status: extra.status ?? 'active',
        created_at: NOW,
        updated_at: NOW,
      };
      return id(await db.insertInto('managers').values(values).returning('id').executeTakeFirstOrThrow());
    },
    async leave(managerId: number, backupId: number, from: string, until: string | null = null): Promise<void> {
      await db
        .insertInto('manager_leaves')
        .values({ manager_id: managerId, backup_id: backupId, from_date: from, until_date: until, created_at: NOW })
        .execute();
    },
    async account(externalId: string, o: AccountOptions = {}): Promise<number> {
      const values = {
        external_id: externalId,
        external_id_key: foldKey(externalId),
        name: o.name ?? `School ${externalId}`,
        type: o.type ?? 'school',
        status: o.status ?? 'active',
        locale: o.locale === undefined ? 'en' : o.locale,
        manager_id: o.manager ?? null,
        created_at: NOW,
        updated_at: NOW,
      };
      return id(await db.insertInto('accounts').values(values).returning('id').executeTakeFirstOrThrow());
    },
    async subscription(externalId: string, o: SubOptions = {}): Promise<number> {
      const [product, plan] = await defaultPlan();
      const account = o.account ?? (await api.account(`ACC-${externalId}`));
      const manager =
        o.manager !== undefined
          ? o.manager
          : (await db.selectFrom('accounts').select('manager_id').where('id', '=', account).executeTakeFirstOrThrow()).manager_id;
      const values = {
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
      };
      return id(await db.insertInto('subscriptions').values(values).returning('id').executeTakeFirstOrThrow());
    },
    async contact(
      account: number,
      email: string,
      o: { is_primary?: boolean; status?: string; created_at?: string; name?: string } = {},
    ): Promise<number> {
      const values = {
        account_id: account,
        name: o.name ?? email.split('@')[0]!,
        email,
        email_key: foldKey(email),
        role: 'teacher',
        is_primary: o.is_primary ? 1 : 0,
        status: o.status ?? 'active',
        created_at: o.created_at ?? `2026-01-01T00:00:${String(n++ % 60).padStart(2, '0')}Z`,
        updated_at: NOW,
      };
      return id(await db.insertInto('contacts').values(values).returning('id').executeTakeFirstOrThrow());
    },
    async seat(
      subscription: number,
      contact: number,
      o: { status?: string; invited_at?: string | null; last_login_at?: string | null } = {},
    ): Promise<number> {
      const values = {
        subscription_id: subscription,
        contact_id: contact,
        status: o.status ?? 'active',
        invited_at: o.invited_at === undefined ? '2026-01-15' : o.invited_at,
        last_login_at: o.last_login_at ?? null,
        created_at: NOW,
        updated_at: NOW,
      };
      return id(await db.insertInto('seats').values(values).returning('id').executeTakeFirstOrThrow());
    },
    /** A login event; the seat's stored last login moves forward to it, as every writer of events does (never back). */
    async login(seat: number, at: string): Promise<void> {
      await db.insertInto('login_events').values({ seat_id: seat, at }).execute();
      await db
        .updateTable('seats')
        .set({ last_login_at: at })
        .where('id', '=', seat)
        .where((eb) => eb.or([eb('last_login_at', 'is', null), eb('last_login_at', '<', at)]))
        .execute();
    },
    async set(table: 'subscriptions' | 'seats' | 'accounts' | 'contacts', rowId: number, values: Record<string, unknown>): Promise<void> {
      await db
        .updateTable(table)
        .set(values as never)
        .where('id', '=', rowId)
        .execute();
    },

    /**
     * Products BIO and DIARY; plans BIO-BASIC (≤100: 450.00, ≤300: 800.00 for 12 months, 1400.00 for
     * 24), BIO-MAX (600.00, 1000.00, 1800.00), BIO-OLD (retired, 300.00), BIO-TUTOR (any size, 99.00),
     * DIARY-STD (≤500: 1200.00).
     */
    async catalogue(): Promise<void> {
      const product = async (code: string, name: string) =>
        id(
          await db
            .insertInto('products')
            .values({ code, code_key: foldKey(code), name, created_at: NOW, updated_at: NOW })
            .returning('id')
            .executeTakeFirstOrThrow(),
        );
      const plan = async (code: string, productId: number, legacy = 0) =>
        id(
          await db
            .insertInto('plans')
            .values({
              code,
              code_key: foldKey(code),
              name: code,
              product_id: productId,
              currency: 'EUR',
              modules: '',
              legacy,
              created_at: NOW,
              updated_at: NOW,
            })
            .returning('id')
            .executeTakeFirstOrThrow(),
        );
      const price = (plan_id: number, max_students: number | null, term_months: number, amount_cents: number) =>
        db
          .insertInto('plan_prices')
          .values({ plan_id, max_students, term_months, amount_cents, created_at: NOW, updated_at: NOW })
          .execute();
      const bio = await product('BIO', 'Biology');
      const diaryProduct = await product('DIARY', 'E-diary');
      const basic = await plan('BIO-BASIC', bio);
      await price(basic, 100, 12, 45_000);
      await price(basic, 300, 12, 80_000);
      await price(basic, 300, 24, 140_000);
      const max = await plan('BIO-MAX', bio);
      await price(max, 100, 12, 60_000);
      await price(max, 300, 12, 100_000);
      await price(max, 300, 24, 180_000);
      const old = await plan('BIO-OLD', bio, 1);
      await price(old, 300, 12, 30_000);
      const tutor = await plan('BIO-TUTOR', bio);
      await price(tutor, null, 12, 9_900);
      const diary = await plan('DIARY-STD', diaryProduct);
      await price(diary, 500, 12, 120_000);
    },

    /**
     * Managers anna and bob (added through the managers service, so audited), the catalogue, accounts
     * SCH-1 and SCH-2 (anna) and TUT-1 (a tutor), each named by its external id, without a locale.
     */
    async standardSet(op: Op): Promise<void> {
      await addManager(db, op, { login: 'anna', name: 'Anna', email: 'anna@vendor.example' });
      await addManager(db, op, { login: 'bob', name: 'Bob', email: 'bob@vendor.example' });
      await api.catalogue();
      const anna = (await db.selectFrom('managers').select('id').where('login', '=', 'anna').executeTakeFirstOrThrow()).id;
      for (const [externalId, type, manager] of [
        ['SCH-1', 'school', anna],
        ['SCH-2', 'school', anna],
        ['TUT-1', 'tutor', null],
      ] as const) {
        await api.account(externalId, { type, manager, name: externalId, locale: null });
      }
    },

    /** standardSet and subscription EXTERNAL_ID of SCH-1 (account), BIO-BASIC, 100 students, 12 months from 2026-01-15: where the seat tests start. */
    async seatSet(op: Op, externalId = 'S1', account = 'SCH-1'): Promise<void> {
      await api.standardSet(op);
      await api.basicSubscription(op, externalId, account);
    },

    /** Subscription EXTERNAL_ID of ACCOUNT through the subscriptions service: BIO-BASIC, 100 students, 12 months from 2026-01-15. */
    async basicSubscription(op: Op, externalId: string, account: string): Promise<void> {
      await addSubscription(db, op, {
        external_id: externalId,
        account_external_id: account,
        plan: 'BIO-BASIC',
        students: 100,
        term_months: 12,
        start_date: '2026-01-15',
      });
    },
  };
  return api;
}

export type Seeder = ReturnType<typeof seeder>;
