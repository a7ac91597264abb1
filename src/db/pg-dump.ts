/**
 * `db backup` on PostgreSQL: `pg_dump --format=custom` into a 0600 temporary file beside the target,
 * renamed over it once pg_dump succeeded (a failed dump leaves the target as it was and no temporary
 * file). The connection goes to pg_dump through libpq's environment variables (PGHOST, PGPASSWORD, …),
 * never on its command line: other users can read a command line, and the password must not be there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, EXIT } from '../errors.js';
import { createPrivateTemp, outputKind } from '../lib/output-file.js';
import { pgSettings } from './postgres.js';

export interface PgDumpResult {
  path: string;
  bytes: number;
  /** how to restore it (the URL without its password) */
  restore: string;
}

/** The URL as it may be printed in a command to run: its password removed. */
export function urlWithoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** libpq's environment for the database a URL names: the child's only way to learn the password. */
export function libpqEnv(url: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const s = pgSettings(url, env);
  const out: NodeJS.ProcessEnv = {
    ...env,
    PGHOST: s.host,
    PGPORT: String(s.port),
    PGDATABASE: s.database,
    PGUSER: s.user,
    PGAPPNAME: s.applicationName,
    PGSSLMODE: s.sslMode,
  };
  if (s.password !== undefined) out.PGPASSWORD = s.password;
  if (s.sslRootCert !== undefined) out.PGSSLROOTCERT = s.sslRootCert;
  return out;
}

export async function pgDumpTo(url: string, env: NodeJS.ProcessEnv, target: string): Promise<PgDumpResult> {
  outputKind(target, false);
  const tmp = createPrivateTemp(path.dirname(path.resolve(target)), target);
  fs.closeSync(tmp.fd);
  try {
    // --no-password: pg_dump never prompts (it has no terminal of ours); the file exists already, 0600,
    // and pg_dump truncates it in place, keeping its mode
    await run('pg_dump', ['--format=custom', '--no-password', `--file=${tmp.path}`], libpqEnv(url, env));
    fs.renameSync(tmp.path, target);
    return { path: target, bytes: fs.statSync(target).size, restore: `pg_restore -d ${urlWithoutPassword(url)} ${target}` };
  } finally {
    fs.rmSync(tmp.path, { force: true });
  }
}

/** Runs a PostgreSQL client program; a missing program or a failure is exit 1 naming it. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new AppError(
              `${program} not found on PATH: db backup on PostgreSQL runs ${program}`,
              'refused',
              EXIT.failed,
              "install the PostgreSQL client programs (Debian, Ubuntu: apt-get install postgresql-client), of the server's version or newer",
            )
          : e,
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const why = stderr.trim().split('\n').slice(0, 5).join('\n  ') || (signal ? `killed by ${signal}` : `exit status ${code}`);
      reject(new AppError(`${program} failed: ${why}`, 'refused', EXIT.failed));
    });
  });
}
