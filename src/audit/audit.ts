import type { Kysely } from '#kysely';
import { recordedActor } from '../db/actor.js';
import { insertChunks } from '../db/chunks.js';
import { collect, recordBatches, rowBatches } from '../db/rows.js';
import { AUDIT_ENTITIES, type AuditEntity, type AuditRow } from '../db/schema/audit-log.js';
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

/**
 * Writes one audit row; call it inside the same transaction as the change it records. The actor is who
 * really made the change (the database role on PostgreSQL, the OS user on SQLite: src/db/actor.ts);
 * `--actor` is recorded beside it as on_behalf_of.
 */
export async function audit(db: Kysely<DB>, op: Op, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values(auditRow(db, op, entry))
    .execute();
}

function auditRow(db: Kysely<DB>, op: Op, entry: AuditEntry) {
  const { action, entity, key, before, after } = entry;
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return {
    at: op.now,
    actor: recordedActor(db, op.user ?? op.actor),
    // only when given: `db repair-keys` writes audit rows into databases from before the column (0007)
    ...(op.onBehalfOf ? { on_behalf_of: op.onBehalfOf } : {}),
    action,
    entity,
    entity_key: key,
    before_json: json(before),
    after_json: json(after),
  };
}

/** Audits a change and returns the record it leaves (`after`): the last step of an add or an edit. */
export async function audited<R>(db: Kysely<DB>, op: Op, change: Omit<AuditEntry, 'after'>, after: R): Promise<R> {
  await audit(db, op, { ...change, after });
  return after;
}

/** One audit row per key, each with the same change (many records moved at once). */
export async function auditEach(db: Kysely<DB>, op: Op, keys: readonly string[], change: Omit<AuditEntry, 'key'>): Promise<void> {
  await auditAll(
    db,
    op,
    keys.map((key) => ({ ...change, key })),
  );
}

/** An audit row for each entry, in their order, many rows an INSERT. */
export async function auditAll(db: Kysely<DB>, op: Op, entries: readonly AuditEntry[]): Promise<void> {
  const rows = entries.map((e) => auditRow(db, op, e));
  for (const chunk of insertChunks(rows)) await db.insertInto('audit_log').values(chunk).execute();
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  /** `--actor` of the command, null when it had none */
  on_behalf_of: string | null;
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
  return collect(auditBatches(db, f));
}

/** listAudit a batch at a time, nothing held beyond the batch (the log grows with everything); the filter checked first. */
export function auditBatches(db: Kysely<DB>, f: AuditFilter = {}): AsyncIterable<AuditRecord[]> {
  const entity = checkFilter({ name: 'entity', type: 'enum', values: AUDIT_ENTITIES }, f.entity);
  let q = db.selectFrom('audit_log').selectAll().orderBy('id');
  if (entity) q = q.where('entity', '=', entity);
  if (f.since) q = q.where('at', '>=', `${f.since}T00:00:00Z`);
  if (f.limit && !f.key) q = q.limit(f.limit);
  // audit keys are the keys as written then (no stored fold): compared by foldKey here
  const key = f.key === undefined ? undefined : foldKey(f.key.trim());
  const records = recordBatches(rowBatches(db, q), toAuditRecord, key === undefined ? undefined : (_, r) => foldKey(r.entity_key) === key);
  return key !== undefined && f.limit ? firstOf(records, f.limit) : records;
}

/** The first `n` records of the batches (the rest never read). */
async function* firstOf<T>(batches: AsyncIterable<T[]>, n: number): AsyncGenerator<T[]> {
  let left = n;
  for await (const batch of batches) {
    yield batch.length > left ? batch.slice(0, left) : batch;
    left -= batch.length;
    if (left <= 0) return;
  }
}

function toAuditRecord(r: AuditRow): AuditRecord {
  const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
  const { id, at, actor, on_behalf_of, action, entity } = r;
  return { id, at, actor, on_behalf_of, action, entity, key: r.entity_key, before: parsed(r.before_json), after: parsed(r.after_json) };
}
