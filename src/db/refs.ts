/**
 * A referenced row named by its key, as records and exports show it (account external id, contact
 * email, manager login, activity or training number): a scalar subquery on the referenced table's primary key, so a
 * query lists what it refers to without a join a reference.
 */
import { sql, type RawBuilder, type SqlBool } from '#kysely';

const KEY_OF = {
  accounts: 'external_id',
  contacts: 'email',
  managers: 'login',
  activities: 'number',
  subscriptions: 'external_id',
  trainings: 'number',
} as const;

export type Referenced = keyof typeof KEY_OF;

/** `(select KEY from TABLE where TABLE.id = ID_REF)`; T is string | null unless the reference is required. */
export function keyOf<T = string | null>(table: Referenced, idRef: string): RawBuilder<T> {
  return sql<T>`(select ${sql.ref(`${table}.${KEY_OF[table]}`)} from ${sql.table(table)} where ${sql.ref(`${table}.id`)} = ${sql.ref(idRef)})`;
}

/**
 * `--manager LOGIN` of a list: the record's account is managed by the manager, or a subscription is —
 * the record's own (`subscriptionRef`) when it has one, else any subscription of the account.
 */
export function managedBy(managerId: number, accountRef: string, subscriptionRef?: string): RawBuilder<SqlBool> {
  const sub = subscriptionRef
    ? sql`subscriptions.id = ${sql.ref(subscriptionRef)}`
    : sql`subscriptions.account_id = ${sql.ref(accountRef)}`;
  return sql<SqlBool>`(exists (select 1 from accounts where accounts.id = ${sql.ref(accountRef)} and accounts.manager_id = ${managerId})
    or exists (select 1 from subscriptions where ${sub} and subscriptions.manager_id = ${managerId}))`;
}
