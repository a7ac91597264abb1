/**
 * Whether the run behind a notice claim still runs (src/db/liveness.ts): on PostgreSQL a session
 * advisory lock per delivering run, seen from any connection and any host, gone with its connection;
 * on SQLite the claimant's process on this host.
 */
import os from 'node:os';
import { describe, expect } from 'vitest';
import { sql } from '#kysely';
import { liveness, RUN_LOCK_CLASS, runLockKey } from '../../src/db/liveness.js';
import { eachTestDb, openTestDb } from '../helpers/db.js';
import { itPostgres, itSqlite } from '../helpers/engine.js';

const t = eachTestDb();

describe('liveness of a delivering run', () => {
  itPostgres('PostgreSQL: a run whose lock another connection holds is live whatever its host; released, it is abandoned', async () => {
    const other = await openTestDb(t.path);
    const theirs = liveness(other);
    const ours = liveness(t.handle);
    try {
      await theirs.hold('2026-11-25T07:00:00Z-0a1b2c3d');
      const held = { run_id: '2026-11-25T07:00:00Z-0a1b2c3d', claimed_by: 'another-host:4242' };
      expect(await ours.isLive(held)).toBe(true);
      expect(await ours.isLive({ ...held, claimed_by: null })).toBe(true);
      expect(await ours.isLive({ ...held, run_id: '2026-11-25T07:00:00Z-ffffffff' })).toBe(false);
      // the probe only reads pg_locks: asking does not take the lock
      expect(await ours.isLive(held)).toBe(true);
      await theirs.release();
      expect(await ours.isLive(held)).toBe(false);
    } finally {
      await theirs.release();
      await other.close();
    }
  });

  itPostgres('PostgreSQL: the lock dies with its connection (a killed process); a run never counts its own claims as live', async () => {
    const other = await openTestDb(t.path);
    const theirs = liveness(other);
    const ours = liveness(t.handle);
    const killed = { run_id: 'run-killed', claimed_by: 'h:1' };
    try {
      await theirs.hold('run-killed');
      await ours.hold('run-ours');
      expect(await ours.isLive(killed)).toBe(true);
      expect(await ours.isLive({ run_id: 'run-ours', claimed_by: 'h:2' })).toBe(false);
      expect(await theirs.isLive({ run_id: 'run-ours', claimed_by: 'h:2' })).toBe(true);
      // what a SIGKILL does to the holder: its session ends, without unlocking
      const ended = await sql<{ ended: boolean }>`select pg_terminate_backend(pid) as ended from pg_locks
        where locktype = 'advisory' and classid = ${RUN_LOCK_CLASS}::bigint::oid and objid = ${runLockKey('run-killed')}::bigint::oid`.execute(
        t.db,
      );
      expect(ended.rows).toEqual([{ ended: true }]);
      await expect.poll(() => ours.isLive(killed)).toBe(false);
    } finally {
      await ours.release();
      await theirs.release();
      await other.close();
    }
  });

  itSqlite('SQLite: a claim is live while its process runs on this host; another host or a gone process is abandoned', async () => {
    const ours = liveness(t.handle);
    expect(ours.claimant).toBe(`${os.hostname()}:${process.pid}`);
    expect(await ours.isLive({ run_id: 'r', claimed_by: `${os.hostname()}:${process.ppid}` })).toBe(true);
    expect(await ours.isLive({ run_id: 'r', claimed_by: `another-host:${process.ppid}` })).toBe(false);
    expect(await ours.isLive({ run_id: 'r', claimed_by: `${os.hostname()}:${process.pid}` })).toBe(false);
    expect(await ours.isLive({ run_id: 'r', claimed_by: null })).toBe(false);
  });
});
