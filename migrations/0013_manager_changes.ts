// Frozen once released: never edit a migration that has been released; add a new numbered one instead.
import type { Kysely } from '#kysely';
import { int, text, withId } from './dialect.js';

/**
 * `manager_changes` (issue 14): one row per change of an account's manager made by a person
 * (`accounts assign`, `accounts edit --manager-login`, `managers reassign`, a renewal by another
 * manager; never an import), written in the transaction of the change. It is the cycle of the
 * `manager-changed` customer notice. The manager ids carry no foreign key on purpose: removing a
 * manager with `--reassign-to` records the change and then deletes the old manager, and the history
 * must outlive them; `account_id` has none either, so removing an account (allowed while it has no
 * subscriptions) is not blocked by its history. Readers join and skip what is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('manager_changes')
    .$call(withId(db))
    .addColumn('account_id', int(db), (c) => c.notNull())
    .addColumn('from_manager_id', int(db))
    .addColumn('to_manager_id', int(db), (c) => c.notNull())
    // assign | edit | reassign | renew
    .addColumn('via', text(db), (c) => c.notNull())
    .addColumn('changed_on', text(db), (c) => c.notNull())
    .addColumn('created_at', text(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('manager_changes_account').on('manager_changes').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('manager_changes_on').on('manager_changes').column('changed_on').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('manager_changes').execute();
}
