import type { Kysely } from 'kysely';
import { AUDIT_ENTITIES, type AuditEntity } from '../db/schema/audit-log.js';
import type { DB } from '../db/schema/index.js';
import { checkFilter } from '../lib/checks.js';
import { foldKey } from '../lib/keys.js';
import type { Op } from '../op.js';

export interface AuditEntry {
  action: string;
  entity: AuditEntity;
  key: string;
  before?: unknown;
  after?: unknown;
}

/** Writes one audit row; call it inside the same transaction as the change it records. */
export async function audit(db: Kysely<DB>, op: Op, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: op.now,
      actor: op.actor,
      action: entry.action,
      entity: entry.entity,
      entity_key: entry.key,
      before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
      after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  key: string;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  entity?: string;
  /** A calendar date: rows at or after its start (UTC). */
  since?: string;
  key?: string;
  limit?: number;
}

export async function listAudit(db: Kysely<DB>, f: AuditFilter = {}): Promise<AuditRecord[]> {
  const entity = checkFilter({ name: 'entity', type: 'enum', values: AUDIT_ENTITIES }, f.entity);
  let q = db.selectFrom('audit_log').selectAll().orderBy('id');
  if (entity) q = q.where('entity', '=', entity);
  if (f.since) q = q.where('at', '>=', `${f.since}T00:00:00Z`);
  if (f.limit && !f.key) q = q.limit(f.limit);
  let rows = await q.execute();
  if (f.key) {
    // audit keys are the keys as written then (no stored fold): compared by foldKey here
    const key = foldKey(f.key.trim());
    rows = rows.filter((r) => foldKey(r.entity_key) === key);
    if (f.limit) rows = rows.slice(0, f.limit);
  }
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    key: r.entity_key,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
  }));
}
