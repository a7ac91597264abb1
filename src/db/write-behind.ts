/**
 * Write-behind for a bulk load into a SQLite file in rollback-journal mode (src/db/bulk.ts, src/import/
 * bulk/bulk-table.ts). The pages a load writes wait in the operating system's cache, and the commit's
 * fsync then waits while all of them go to disk: a million contacts are ≈ 290 MB, 0.3–0.4 s of a commit
 * during which nothing else runs. SQLite has no way to start that sooner (PostgreSQL does, for its own
 * writes: backend_flush_after). So the load asks, every so often, for the pages written so far to go to
 * disk now — fdatasync in libuv's thread pool, while rows keep coming — and the commit's fsync waits for
 * the last ones only. Sooner is all that changes: what the journal protects, and when SQLite itself
 * syncs, stay as they were.
 *
 * The sync goes through SQLite's own descriptor of the file, found in /proc/self/fd (Linux; elsewhere
 * nothing happens). A descriptor of our own could not be closed safely: closing any descriptor of a
 * file drops every POSIX lock the process holds on it, SQLite's too.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';

/** fdatasyncs started, and finished (a test seam: honest counts). */
export const writeBehindStats = { started: 0, finished: 0 };

export class WriteBehind {
  private running: Promise<void> | undefined;
  private failure: NodeJS.ErrnoException | undefined;

  private constructor(private readonly fd: number) {}

  /**
   * The write-behind of `sqlite`'s file, or undefined: in memory, in WAL mode (the pages go to the WAL,
   * and a checkpoint writes them later), or where the file's descriptor cannot be found.
   */
  static of(sqlite: Database.Database): WriteBehind | undefined {
    if (sqlite.memory || process.platform !== 'linux') return undefined;
    if (sqlite.pragma('journal_mode', { simple: true }) === 'wal') return undefined;
    try {
      const file = fs.realpathSync(sqlite.name);
      for (const fd of fs.readdirSync('/proc/self/fd')) {
        const target = readLink(`/proc/self/fd/${fd}`);
        if (target === file) return new WriteBehind(Number(fd));
      }
    } catch {
      // no /proc, or the file moved: nothing to gain, nothing lost
    }
    return undefined;
  }

  /** Starts writing the file's written pages to disk, unless that is under way already. */
  kick(): void {
    if (this.running) return;
    writeBehindStats.started++;
    this.running = new Promise((resolve) =>
      fs.fdatasync(this.fd, (e) => {
        this.running = undefined;
        this.failure ??= e ?? undefined;
        writeBehindStats.finished++;
        resolve();
      }),
    );
  }

  /**
   * Waits for the sync under way; throws when a sync failed. Call it before the commit: a write error
   * is reported once per open file, and this sync, on SQLite's descriptor, may have taken the report
   * that SQLite's own fsync would have seen.
   */
  async settle(): Promise<void> {
    await this.running;
    if (this.failure) throw new Error(`the database file could not be written to disk: ${this.failure.message}`);
  }
}

function readLink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined; // the descriptor closed meanwhile (the directory's own, say)
  }
}
