// Frozen: never edit a migration that has been released; add a new numbered one instead.
// Edited once, for PostgreSQL: ids and whole numbers through ./dialect.ts; the SQLite schema it makes is
// byte for byte what it was (test/unit/migrations.test.ts compares sqlite_master with a stored copy).
import { sql, type Kysely } from '#kysely';
import { withId, int, text } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .$call(withId(db))
    .addColumn('code', text(db), (c) => c.notNull())
    .addColumn('name', text(db), (c) => c.notNull())
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('products_code')
    .on('products')
    .unique()
    .expression(sql`lower(code)`)
    .execute();

  await db.schema
    .createTable('plans')
    .$call(withId(db))
    .addColumn('code', text(db), (c) => c.notNull())
    .addColumn('name', text(db), (c) => c.notNull())
    .addColumn('product_id', int(db), (c) => c.notNull().references('products.id'))
    .addColumn('currency', text(db), (c) => c.notNull())
    // ';'-separated module names, in the order given
    .addColumn('modules', text(db), (c) => c.notNull().defaultTo(''))
    .addColumn('legacy', int(db), (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('plans_code')
    .on('plans')
    .unique()
    .expression(sql`lower(code)`)
    .execute();
  await db.schema.createIndex('plans_product').on('plans').column('product_id').execute();

  await db.schema
    .createTable('plan_prices')
    .$call(withId(db))
    .addColumn('plan_id', int(db), (c) => c.notNull().references('plans.id').onDelete('cascade'))
    // null: "any number of students" (a flat price)
    .addColumn('max_students', int(db))
    .addColumn('term_months', int(db), (c) => c.notNull())
    .addColumn('amount_cents', int(db), (c) => c.notNull())
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  // NULLs are distinct in a plain unique index; coalesce makes the flat row unique per term too
  await db.schema
    .createIndex('plan_prices_row')
    .on('plan_prices')
    .unique()
    .expression(sql`plan_id, coalesce(max_students, -1), term_months`)
    .execute();

  await db.schema
    .createTable('subscriptions')
    .$call(withId(db))
    .addColumn('external_id', text(db), (c) => c.notNull())
    .addColumn('account_id', int(db), (c) => c.notNull().references('accounts.id'))
    .addColumn('product_id', int(db), (c) => c.notNull().references('products.id'))
    .addColumn('plan_id', int(db), (c) => c.notNull().references('plans.id'))
    .addColumn('students', int(db), (c) => c.notNull())
    .addColumn('term_months', int(db), (c) => c.notNull())
    .addColumn('start_date', text(db), (c) => c.notNull())
    .addColumn('end_date', text(db), (c) => c.notNull())
    // stored base status: active | trial | cancelled (the displayed status is computed for a date)
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('active'))
    .addColumn('manager_id', int(db), (c) => c.references('managers.id'))
    .addColumn('price_cents', int(db), (c) => c.notNull())
    .addColumn('paid_at', text(db))
    .addColumn('activation_code', text(db), (c) => c.unique())
    .addColumn('renewed_from_id', int(db), (c) => c.references('subscriptions.id'))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscriptions_external_id')
    .on('subscriptions')
    .unique()
    .expression(sql`lower(external_id)`)
    .execute();
  await db.schema.createIndex('subscriptions_account').on('subscriptions').column('account_id').execute();
  await db.schema.createIndex('subscriptions_manager').on('subscriptions').column('manager_id').execute();
  await db.schema.createIndex('subscriptions_end_date').on('subscriptions').column('end_date').execute();
  await db.schema.createIndex('subscriptions_renewed_from').on('subscriptions').column('renewed_from_id').execute();
  await db.schema.createIndex('subscriptions_plan').on('subscriptions').column('plan_id').execute();

  await db.schema
    .createTable('subscription_history')
    .$call(withId(db))
    .addColumn('subscription_id', int(db), (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    .addColumn('at', text(db), (c) => c.notNull())
    .addColumn('on_date', text(db), (c) => c.notNull())
    // add | pay | renew | upgrade | cancel | reassign
    .addColumn('event', text(db), (c) => c.notNull())
    .addColumn('amount_cents', int(db))
    .addColumn('details_json', text(db))
    .addColumn('actor', text(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscription_history_subscription').on('subscription_history').column('subscription_id').execute();

  await db.schema
    .createTable('seats')
    .$call(withId(db))
    .addColumn('subscription_id', int(db), (c) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    .addColumn('contact_id', int(db), (c) => c.notNull().references('contacts.id'))
    .addColumn('status', text(db), (c) => c.notNull().defaultTo('invited'))
    .addColumn('invited_at', text(db))
    .addColumn('last_login_at', text(db))
    .addColumn('created_at', text(db), (c) => c.notNull())
    .addColumn('updated_at', text(db), (c) => c.notNull())
    .addUniqueConstraint('seats_subscription_contact', ['subscription_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('seats_contact').on('seats').column('contact_id').execute();

  await db.schema
    .createTable('login_events')
    .$call(withId(db))
    .addColumn('seat_id', int(db), (c) => c.notNull().references('seats.id').onDelete('cascade'))
    .addColumn('at', text(db), (c) => c.notNull())
    .addUniqueConstraint('login_events_seat_at', ['seat_id', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['login_events', 'seats', 'subscription_history', 'subscriptions', 'plan_prices', 'plans', 'products']) {
    await db.schema.dropTable(t).execute();
  }
}
