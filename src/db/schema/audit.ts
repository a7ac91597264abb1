import type { Generated, Selectable } from 'kysely';

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_key: string;
  before_json: string | null;
  after_json: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;
