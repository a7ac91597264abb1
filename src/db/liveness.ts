/**
 * Whether the run that claimed a notice still runs (remind --send and notices settle ask here). A notice
 * claimed or in doubt by a run that still runs (an overlapping cron run) is being delivered right now,
 * not lost; when the run is gone (a crash, a kill), its claimed notices were never sent and go to the
 * next run, its in-doubt ones are reported until settled. A claim taken over by mistake still cannot be
 * delivered twice (remind/ledger.ts checks the run id at every step): a wrong answer can only delay.
 * - SQLite (one machine): the claim records `host:pid`, and the run is live while that process runs on
 *   this host. Process ids are reused in time, which can only delay a release.
 * - PostgreSQL (runs on any machine): a delivering run holds a session-level advisory lock on a key
 *   derived from its run id, on a connection kept for the run; the server releases it when that
 *   connection ends, however the process ends. A claim whose run's lock is held is live, whatever
 *   host ran it; one whose lock is free is abandoned. (`claimed_by` stays host:pid, for people.)
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { sql } from '#kysely';
import type pg from 'pg';
import type { DbHandle } from './connection.js';

/** Who holds a claim: the ledger row's run and claimant. */
export interface ClaimHolder {
  run_id: string;
  claimed_by: string | null;
}

export interface Liveness {
  /** recorded with this process's claims (`notices.claimed_by`) */
  readonly claimant: string;
  /** Makes run `runId` live for others until release(); call it before the run claims anything. */
  hold(runId: string): Promise<void>;
  /** Whether the run behind a claim still runs (this process's own run is never "another live run"). */
  isLive(holder: ClaimHolder): Promise<boolean>;
  release(): Promise<void>;
}

export function currentClaimant(): string {
  return `${os.hostname()}:${process.pid}`;
}

export function liveness(h: DbHandle): Liveness {
  return h.pool ? new AdvisoryLockLiveness(h) : processLiveness();
}

/** SQLite: the process named by host:pid runs on this host. */
export function processLiveness(): Liveness {
  return {
    claimant: currentClaimant(),
    hold: () => Promise.resolve(),
    isLive: (holder) => Promise.resolve(isProcessAlive(holder.claimed_by ?? '')),
    release: () => Promise.resolve(),
  };
}

function isProcessAlive(claimant: string): boolean {
  const i = claimant.lastIndexOf(':');
  const host = claimant.slice(0, i);
  const pid = Number(claimant.slice(i + 1));
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first key of every run lock ("rmnd"): the second is derived from the run id. */
export const RUN_LOCK_CLASS = 0x726d_6e64;

/** A run id's lock key: 31 bits of its SHA-256 (a collision can only make a gone run look live a while). */
export function runLockKey(runId: string): number {
  return createHash('sha256').update(runId).digest().readUInt32BE(0) & 0x7fff_ffff;
}

/** PostgreSQL: a session advisory lock per delivering run, on a connection held for the run. */
class AdvisoryLockLiveness implements Liveness {
  readonly claimant = currentClaimant();
  private client: pg.PoolClient | undefined;
  private own: string | undefined;

  constructor(private readonly h: DbHandle) {}

  async hold(runId: string): Promise<void> {
    if (this.client) throw new Error('liveness: this process already holds a run');
    const client = await this.h.pool!.connect();
    // the connection may end under the run (a server restart): then its claims look abandoned to others,
    // which can only let another run retry them (the ledger's compare-and-set on the run id keeps a
    // notice from being delivered twice); the error must not crash this run
    client.on('error', () => undefined);
    try {
      const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [RUN_LOCK_CLASS, runLockKey(runId)]);
      // a run id is new (a timestamp and random bytes): taken, its key can only be another run's by collision
      if (!r.rows[0]?.ok) throw new Error(`liveness: the lock of run ${runId} is held by another session`);
    } catch (e) {
      client.release();
      throw e;
    }
    this.client = client;
    this.own = runId;
  }

  /** Read-only: asks pg_locks whether any session of this database holds the run's lock. */
  async isLive(holder: ClaimHolder): Promise<boolean> {
    if (holder.run_id === this.own) return false;
    const r = await sql<{ live: boolean }>`select exists (
        select 1 from pg_locks
        where locktype = 'advisory' and granted and objsubid = 2
          and classid = ${RUN_LOCK_CLASS}::bigint::oid and objid = ${runLockKey(holder.run_id)}::bigint::oid
          and database = (select oid from pg_database where datname = current_database())
      ) as live`.execute(this.h.db);
    return r.rows[0]?.live === true;
  }

  /** Unlocks and returns the connection (ending the process or the connection would release it too). */
  async release(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.own = undefined;
    try {
      await client.query('select pg_advisory_unlock_all()');
      client.release();
    } catch (e) {
      // a broken connection: destroying it is what frees the lock
      client.release(e as Error);
    }
  }
}
