/**
 * Who claimed a notice: `host:pid`, and the one place that tells whether that claimant still runs
 * (remind and notices settle ask here; a database lock could replace it). A notice claimed or in doubt
 * by a process that still runs (an overlapping cron run) is being delivered right now, not lost. When
 * the process is gone (a crash, a kill), its claimed notices were never sent and go to the next run;
 * its in-doubt ones are reported until settled. Process ids are reused in time, so a live pid can only
 * delay that, and a claim taken over by mistake still cannot be delivered twice (ledger.ts checks the
 * run id at every step).
 */
import os from 'node:os';

export function currentClaimant(): string {
  return `${os.hostname()}:${process.pid}`;
}

export function isClaimantAlive(claimant: string): boolean {
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
