/**
 * Files the user names as output (`export --out`, `--rejects`, `db backup`). What is there decides:
 * nothing or a regular file is replaced at the end by a temporary file written beside it; a character
 * device or FIFO (`/dev/null`, a named pipe, also reached through a symlink such as `/dev/stdout`) is
 * written into, never replaced; a symlink to anything else, a directory or any other kind is refused
 * (exit 2) naming it. Temporary files are created 0600 with O_EXCL (never readable by others, not even
 * for a moment, and never an existing file or a symlink) and removed on every failure.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DbTarget } from '../db/target.js';
import { UsageError } from '../errors.js';

export type OutputKind = 'file' | 'device';

/** Classifies `target`, refusing what must not be written (exit 2); `devices` false refuses devices and FIFOs too. */
export function outputKind(target: string, devices = true): OutputKind {
  const st = lstatOrUndefined(target);
  if (!st) {
    const dir = path.dirname(path.resolve(target));
    if (!statOrUndefined(dir)?.isDirectory()) throw new UsageError(`${target}: no such directory: ${dir}`);
    return 'file';
  }
  if (st.isFile()) return 'file';
  if (st.isDirectory()) throw new UsageError(`${target}: is a directory`, 'name a file to write');
  // a symlink is never followed to a file; one to a device or pipe (/dev/stdout) can only be written into
  const real = st.isSymbolicLink() ? statOrUndefined(target) : st;
  if (devices && real && (real.isCharacterDevice() || real.isFIFO())) return 'device';
  if (st.isSymbolicLink()) throw new UsageError(`${target}: is a symbolic link; refusing to write through it`, 'name the file itself');
  throw new UsageError(`${target}: is not a regular file${devices ? ', a character device or a FIFO' : ''}; refusing to replace it`);
}

/** Why a file cannot be created, in words, for the errors a user can fix by naming another place. */
const CANNOT_CREATE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * A new empty file in `dir`, named after `near`, mode 0600, that did not exist before (O_EXCL). A place
 * where no file can be created is exit 2 naming `near` as the user gave it, never the temporary name.
 */
export function createPrivateTemp(dir: string, near: string): { path: string; fd: number } {
  const flags = fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY;
  for (;;) {
    const p = path.join(dir, `${path.basename(near)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    try {
      return { path: p, fd: fs.openSync(p, flags, 0o600) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') continue;
      const reason = CANNOT_CREATE[code];
      if (reason) throw new UsageError(`${near}: ${reason}: cannot create a file in ${dir}`, 'name a file in a directory you can write to');
      throw e;
    }
  }
}

/**
 * An output being written: into a temporary file, which `commit` renames over the target (a device
 * or FIFO: copies into it, so a retried or failed run never sends it half an output). `discard` (also
 * called by a failing `commit`) removes the temporary file.
 */
export class OutputFile {
  private fd: number | undefined;

  private constructor(
    readonly target: string,
    readonly kind: OutputKind,
    readonly tmp: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static open(target: string): OutputFile {
    const kind = outputKind(target);
    const dir = kind === 'file' ? path.dirname(path.resolve(target)) : os.tmpdir();
    const { path: tmp, fd } = createPrivateTemp(dir, target);
    return new OutputFile(target, kind, tmp, fd);
  }

  write(chunk: string): void {
    try {
      writeAll(this.fd!, Buffer.from(chunk, 'utf8'));
    } catch (e) {
      this.discard();
      throw e;
    }
  }

  commit(): void {
    try {
      fs.fsyncSync(this.fd!);
      fs.closeSync(this.fd!);
      this.fd = undefined;
      if (this.kind === 'file') fs.renameSync(this.tmp, this.target);
      else copyInto(this.tmp, this.target);
    } finally {
      this.discard();
    }
  }

  discard(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      fs.closeSync(fd);
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Opens `target`, has `fill` write into it, and commits; any failure discards the temporary file. */
export async function writeOutput<T>(target: string, fill: (write: (chunk: string) => void) => Promise<T>): Promise<T> {
  const file = OutputFile.open(target);
  try {
    const result = await fill((chunk) => file.write(chunk));
    file.commit();
    return result;
  } finally {
    file.discard();
  }
}

/** Writes `file` into the device or FIFO `target`: opened for writing only, never created or truncated. */
function copyInto(file: string, target: string): void {
  const out = fs.openSync(target, fs.constants.O_WRONLY);
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    const inp = fs.openSync(file, 'r');
    try {
      for (let n = fs.readSync(inp, buf); n > 0; n = fs.readSync(inp, buf)) writeAll(out, buf.subarray(0, n));
    } finally {
      fs.closeSync(inp);
    }
  } finally {
    fs.closeSync(out);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off);
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  return fs.lstatSync(p, { throwIfNoEntry: false });
}

function statOrUndefined(p: string): fs.Stats | undefined {
  return fs.statSync(p, { throwIfNoEntry: false });
}

/**
 * Refuses (exit 2) an output that is the same file (device and inode) as an input, before anything is
 * read or written: `--rejects` naming the file being imported would otherwise truncate it.
 */
export function refuseSameFile(outputs: readonly string[], inputs: readonly string[]): void {
  const ids = new Map<string, string>();
  for (const i of inputs) {
    const st = statOrUndefined(i);
    if (st) ids.set(`${st.dev}:${st.ino}`, i);
  }
  for (const o of outputs) {
    const st = statOrUndefined(o);
    const input = st && !st.isCharacterDevice() ? ids.get(`${st.dev}:${st.ino}`) : undefined;
    if (input !== undefined)
      throw new UsageError(`${o}: is the input file ${input}; refusing to overwrite it`, 'write the output to another file');
  }
}

/** The files a SQLite database is made of: the file itself and the companions SQLite keeps beside it. */
const DATABASE_SUFFIXES = ['', '-wal', '-shm', '-journal'] as const;

/**
 * Refuses (exit 2) an output that is the SQLite database the command works on, or one of its `-wal`,
 * `-shm`, `-journal` companions, before anything is read or written: replacing it would lose the whole
 * database. The same device and inode where both exist (a hard link too), else the same path once its
 * directory is resolved (a companion that is not there yet, a database a write would create). A
 * PostgreSQL database has no file; a character device or FIFO (`/dev/stdout`) is only written into.
 */
export function refuseDatabaseOutput(outputs: readonly string[], database: DbTarget): void {
  if (database.kind !== 'sqlite') return;
  const db = database.path;
  const real = realpathOrUndefined(db);
  const files = DATABASE_SUFFIXES.flatMap((suffix) =>
    [db, ...(real && real !== db ? [real] : [])].map((f) => ({ file: f + suffix, suffix })),
  );
  for (const out of outputs) {
    const st = statOrUndefined(out);
    if (st && (st.isCharacterDevice() || st.isFIFO())) continue;
    const where = canonicalPath(out);
    for (const { file, suffix } of files) {
      const other = statOrUndefined(file);
      const same = st && other ? st.dev === other.dev && st.ino === other.ino : where === canonicalPath(file);
      if (!same) continue;
      const what = suffix === '' ? `the database ${db}` : `the database's ${suffix} file (${db}${suffix})`;
      throw new UsageError(`${out}: is ${what}; refusing to overwrite it`, 'write the output to another file');
    }
  }
}

/** `p` with its directory resolved (symlinks followed where it exists), the name itself kept. */
function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  const dir = path.dirname(abs);
  return path.join(realpathOrUndefined(dir) ?? dir, path.basename(abs));
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
