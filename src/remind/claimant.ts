/**
 * Who claimed a notice: `host:pid`. A notice left in_doubt by a process that still runs (an
 * overlapping cron run) is being delivered right now, not lost; one whose process is gone was left in
 * doubt by a crash or a kill. Process ids are reused in time, so a live pid can only delay the report,
 * never cause a second delivery.
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
