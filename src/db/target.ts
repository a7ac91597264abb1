/**
 * Which database a command works on: a SQLite file, or a PostgreSQL server named by a URL. Precedence:
 * `--db`, then ACCTMGR_DB, then `db` in the config file, then $XDG_DATA_HOME/acctmgr/acctmgr.db.
 * A value with a `scheme://` is a URL and never a file name: postgres:// and postgresql:// are
 * PostgreSQL, anything else is refused (once, `--db postgres://u@h/db` created a SQLite file "postgres:");
 * so is `postgres:` or `postgresql:` without the `//` (`postgresql:root@h/x` became a file too).
 * Messages name where the value came from: `--db`, ACCTMGR_DB, or the config file and its key.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { configPath, homeDir, maskSecret } from '../lib/config.js';

export type DbTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Where the value came from, for messages and `config show`. */
export type DbSource = 'flag' | 'environment' | 'config file' | 'default';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** postgres: or postgresql: without the `//` that makes it a URL (any case) */
const HALF_URL = /^(postgres(?:ql)?):\/?(?!\/)/i;
const FORM = 'postgres://USER@HOST:PORT/DBNAME';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];
/** libpq's URL parameters acctmgr takes (any other is refused: it would be silently ignored) */
const KNOWN_PARAMETERS = ['sslmode', 'sslrootcert', 'application_name'];

export function resolveDbTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  configDb?: string,
): { target: DbTarget; source: DbSource } {
  // an empty --db (`--db "$UNSET"` in a crontab) or config "db" names no database: refused, never read as "not
  // given" (the write went to ACCTMGR_DB or the default file); an empty variable is unset, as shells have it
  if (flag !== undefined) return { target: parseDbValue(flag, 'flag'), source: 'flag' };
  if (env.ACCTMGR_DB) return { target: parseDbValue(env.ACCTMGR_DB, 'environment'), source: 'environment' };
  if (configDb !== undefined) return { target: parseDbValue(configDb, 'config file', `${configPath(env)}: db`), source: 'config file' };
  const dataHome = env.XDG_DATA_HOME || path.join(homeDir(env), '.local', 'share');
  return { target: { kind: 'sqlite', path: path.join(dataHome, 'acctmgr', 'acctmgr.db') }, source: 'default' };
}

/** How messages name a source: the flag, the variable, or (given by the caller) the file and key. */
const LABELS: Record<DbSource, string> = { flag: '--db', environment: 'ACCTMGR_DB', 'config file': 'db', default: 'the database' };

export function parseDbValue(value: string, source: DbSource, label = LABELS[source]): DbTarget {
  if (value.trim() === '') throw new UsageError(`${label}: empty: give a SQLite file path or a PostgreSQL URL ${FORM}`);
  const half = HALF_URL.exec(value);
  if (half) {
    throw new UsageError(
      `${label}: a value that starts with "${half[1]}:" is a PostgreSQL URL, and needs "//" after it (it is never a file name)`,
      `the form is ${FORM}: ${redact(`${half[1]}://${value.slice(half[0].length)}`)}`,
    );
  }
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', path: value };
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new UsageError(
      `${label}: "${scheme}://" is not a database acctmgr can use`,
      `give a SQLite file path, or a PostgreSQL URL ${FORM}`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${label}: not a valid PostgreSQL URL: ${redact(value)}`, `the form is ${FORM}`);
  }
  // `postgres://team:12/cd@host/db` is a valid URL (host "team", port 12, database "cd@host/db"), but what
  // was meant is a password "12/cd": an "@" after the host, or a "#", is never what a user means
  if (url.pathname.includes('@') || url.hash !== '') {
    throw new UsageError(
      `${label}: the URL has ${url.hash !== '' ? 'a "#"' : 'an "@" after its host'}: a user name or password with "/", "?", "#" or "@" must be percent-encoded (%2F, %3F, %23, %40)`,
      `the form is ${FORM}`,
    );
  }
  if (url.password !== '' && source === 'flag') {
    throw new UsageError(
      `${label}: a password in the URL on the command line is refused (other users can read a command line)`,
      'put it in PGPASSWORD or ~/.pgpass, or give the URL in ACCTMGR_DB or as "db" in the config file',
    );
  }
  checkUrlParameters(url, label);
  return { kind: 'postgres', url: value };
}

/** The URL's query parameters are ones acctmgr takes, with values it knows (`label` names the source in messages). */
export function checkUrlParameters(url: URL, label: string): void {
  for (const name of url.searchParams.keys()) {
    if (!KNOWN_PARAMETERS.includes(name))
      throw new UsageError(`${label}: unknown URL parameter "${name}"`, `acctmgr takes ${KNOWN_PARAMETERS.join(', ')}`);
  }
  const mode = url.searchParams.get('sslmode');
  if (mode !== null) checkSslMode(mode, label);
  if (url.searchParams.get('sslrootcert') === 'system') {
    throw new UsageError(
      `${label}: sslrootcert=system is not supported (it is PostgreSQL 16's; acctmgr follows libpq 15)`,
      "give the path of the file of the CA that signed the server's certificate",
    );
  }
}

export function checkSslMode(mode: string, label: string): asserts mode is SslMode {
  if (!(SSL_MODES as readonly string[]).includes(mode))
    throw new UsageError(`${label}: sslmode "${mode}" is not one of ${SSL_MODES.join(', ')}`);
}

/** A URL as it may be shown: the password, if any, masked. */
export const redact = maskSecret;

/** How a target is named in messages: the file, or the URL without its password. */
export function describeTarget(t: DbTarget): string {
  return t.kind === 'sqlite' ? t.path : redact(t.url);
}
