/**
 * A referenced row named by its key, as records and exports show it (account external id, contact
 * email, manager login, activity number): a scalar subquery on the referenced table's primary key, so a
 * query lists what it refers to without a join a reference.
 */
import { sql, type RawBuilder } from 'kysely';

const KEY_OF = {
  accounts: 'external_id',
  contacts: 'email',
  managers: 'login',
  activities: 'number',
  subscriptions: 'external_id',
} as const;

export type Referenced = keyof typeof KEY_OF;

/** `(select KEY from TABLE where TABLE.id = ID_REF)`; T is string | null unless the reference is required. */
export function keyOf<T = string | null>(table: Referenced, idRef: string): RawBuilder<T> {
  return sql<T>`(select ${sql.ref(`${table}.${KEY_OF[table]}`)} from ${sql.table(table)} where ${sql.ref(`${table}.id`)} = ${sql.ref(idRef)})`;
}
