/**
 * Migration 0017 (PostgreSQL only): statistics on the expression remind's dormant-seat scan filters on,
 * which the planner uses only while the scan's expression is the very same.
 */
import { sql } from '#kysely';
import { describe, expect } from 'vitest';
import { seatRows } from '../../src/remind/scan.js';
import { eachTestDb } from '../helpers/db.js';
import { itPostgres, itSqlite } from '../helpers/engine.js';

const t = eachTestDb();

describe('migration 0017_seat_base_statistics', () => {
  itPostgres('keeps statistics on the very expression of the dormant-seat scan (PostgreSQL only)', async () => {
    const { rows: stats } = await sql<{ exprs: string[] }>`
      select pg_get_statisticsobjdef_expressions(oid) as exprs from pg_statistic_ext where stxname = 'seats_base'`.execute(t.db);
    expect(stats).toHaveLength(1);
    expect(stats[0]!.exprs).toEqual(['COALESCE(substr(last_login_at, 1, 10), invited_at)']);
    // the scan's filter, as the server reads it: the same expression (the statistics apply to it)
    const scan = seatRows(t.db, '2026-11-25').compile();
    const { rows: plan } = await t.db.executeQuery<{ 'QUERY PLAN': string }>({
      ...scan,
      sql: `explain (verbose, format text) ${scan.sql}`,
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text.replaceAll('se.', '')).toContain('COALESCE(substr(last_login_at, 1, 10), invited_at) >=');
  });

  itSqlite('changes nothing on SQLite (SQLite only)', async () => {
    const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'seats_base'`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
  });
});
