/**
 * Migration 0018 (PostgreSQL only): the server sets every inserted audit row's actor to the inserting
 * role, whatever the row claims, so a row written past acctmgr (psql, COPY) cannot name someone else.
 */
import { sql } from '#kysely';
import { describe, expect } from 'vitest';
import * as m0018 from '../../migrations/0018_audit_actor_trigger.js';
import { eachTestDb } from '../helpers/db.js';
import { auditActor, itPostgres, itSqlite } from '../helpers/engine.js';

const t = eachTestDb();

async function insertClaiming(actor: string): Promise<string> {
  const row = await t.db
    .insertInto('audit_log')
    .values({ at: '2026-11-25T09:00:00Z', actor, action: 'edit', entity: 'manager', entity_key: 'anna' })
    .returning('actor')
    .executeTakeFirstOrThrow();
  return row.actor;
}

describe('migration 0018_audit_actor_trigger', () => {
  itPostgres('records the inserting role as the actor, whatever the row claims (PostgreSQL only)', async () => {
    const role = auditActor('');
    expect(await insertClaiming('someone_else')).toBe(role);
    const { rows } = await sql<{ actor: string }>`
      insert into audit_log (at, actor, action, entity, entity_key) values ('2026-11-25T09:00:00Z', 'boss', 'remove', 'manager', 'ivan')
      returning actor`.execute(t.db);
    expect(rows).toEqual([{ actor: role }]);
    // down drops the trigger (a claimed actor stays as sent), up puts it back
    await m0018.down(t.db);
    expect(await insertClaiming('someone_else')).toBe('someone_else');
    await m0018.up(t.db);
    expect(await insertClaiming('someone_else')).toBe(role);
  });

  itSqlite('changes nothing on SQLite (no roles: the actor is the OS user acctmgr sends)', async () => {
    expect(await insertClaiming('someone_else')).toBe('someone_else');
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from sqlite_master where type = 'trigger' and tbl_name = 'audit_log'`.execute(t.db);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
