/**
 * Which database a command works on: a SQLite file, or a PostgreSQL server named by a URL. Precedence:
 * `--db`, then ACCTMGR_DB, then `db` in the config file, then $XDG_DATA_HOME/acctmgr/acctmgr.db.
 * A value with a `scheme://` is a URL and never a file name: postgres:// and postgresql:// are
 * PostgreSQL, anything else is refused (once, `--db postgres://u@h/db` created a SQLite file "postgres:").
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { homeDir, maskSecret } from '../lib/config.js';

export type DbTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Where the value came from, for messages and `config show`. */
export type DbSource = 'flag' | 'environment' | 'config file' | 'default';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

export function resolveDbTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  configDb?: string,
): { target: DbTarget; source: DbSource } {
  if (flag) return { target: parseDbValue(flag, 'flag'), source: 'flag' };
  if (env.ACCTMGR_DB) return { target: parseDbValue(env.ACCTMGR_DB, 'environment'), source: 'environment' };
  if (configDb) return { target: parseDbValue(configDb, 'config file'), source: 'config file' };
  const dataHome = env.XDG_DATA_HOME || path.join(homeDir(env), '.local', 'share');
  return { target: { kind: 'sqlite', path: path.join(dataHome, 'acctmgr', 'acctmgr.db') }, source: 'default' };
}

export function parseDbValue(value: string, source: DbSource): DbTarget {
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', path: value };
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new UsageError(
      `--db: "${scheme}://" is not a database acctmgr can use`,
      'give a SQLite file path, or a PostgreSQL URL postgres://USER@HOST:PORT/DBNAME',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--db: not a valid PostgreSQL URL: ${redact(value)}`, 'the form is postgres://USER@HOST:PORT/DBNAME');
  }
  if (url.password !== '' && source === 'flag') {
    throw new UsageError(
      '--db: a password in the URL on the command line is refused (other users can read a command line)',
      'put it in PGPASSWORD or ~/.pgpass, or give the URL in ACCTMGR_DB or as "db" in the config file',
    );
  }
  return { kind: 'postgres', url: value };
}

/** A URL as it may be shown: the password, if any, masked. */
export const redact = maskSecret;

/** How a target is named in messages: the file, or the URL without its password. */
export function describeTarget(t: DbTarget): string {
  return t.kind === 'sqlite' ? t.path : redact(t.url);
}
