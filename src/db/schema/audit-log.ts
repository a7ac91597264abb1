import type { Generated, Selectable } from '#kysely';

/** Every entity an audit row can name (`audit --entity` accepts exactly these). */
export const AUDIT_ENTITIES = [
  'manager',
  'account',
  'group',
  'field',
  'contact',
  'product',
  'plan',
  'price',
  'subscription',
  'seat',
  'import',
  'notice',
  'notices',
  'activity',
  'request',
  'training',
  'setting',
  'invoice',
  'database',
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** who made the change: on PostgreSQL the connected database role (the server's current_user), on SQLite the OS user */
  actor: string;
  /** `--actor`, when given: recorded beside the actor, never instead of it */
  on_behalf_of: string | null;
  action: string;
  /** one of AUDIT_ENTITIES */
  entity: string;
  entity_key: string;
  before_json: string | null;
  after_json: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;
