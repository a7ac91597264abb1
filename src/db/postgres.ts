/**
 * Connecting to PostgreSQL: node-postgres (pure JavaScript) under kysely's PostgresDialect. The URL's
 * `sslmode` has libpq's meanings (TLS and root certificates: pg-tls.ts), `sslrootcert` names the root
 * certificate file and `application_name` is passed on; connecting gives up after 10 s, over all of the
 * sslmode's attempts. The password comes from the URL (refused on the command line, see target.ts), else
 * PGPASSWORD, else the password file (pg-password.ts: libpq's rules, read here so that node-postgres never
 * reads it). A failure to connect is one line naming host, port, database and the reason.
 */
import os from 'node:os';
import { Kysely, PostgresDialect } from '#kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { AppError, EXIT } from '../errors.js';
import { CONNECT_TIMEOUT_MS, clientConfig, closingClient, type PgConnect } from './pg-config.js';
import { DEFAULT_SOCKET_DIR, passwordFromFile } from './pg-password.js';
import { PG_TYPES, streamChunks } from './pg-stream.js';
import { tlsAttempts } from './pg-tls.js';
import type { DB } from './schema/index.js';
import { checkSslMode, checkUrlParameters, type SslMode } from './target.js';

export { CONNECT_TIMEOUT_MS };

/** A URL's settings: what a connection is made of (pg-config.ts), with the TLS checks still to work out. */
export interface PgSettings extends Omit<PgConnect, 'tls'> {
  sslMode: SslMode;
  /** the root certificate file the URL names (else PGSSLROOTCERT, else ~/.postgresql/root.crt) */
  sslRootCert?: string;
}

/** The connection settings a URL names, with libpq's defaults and environment variables. */
export function pgSettings(url: string, env: NodeJS.ProcessEnv): PgSettings {
  const u = new URL(url);
  checkUrlParameters(u, 'the database URL');
  const sslMode = u.searchParams.get('sslmode') ?? (env.PGSSLMODE || 'prefer');
  checkSslMode(sslMode, u.searchParams.has('sslmode') ? 'the database URL' : 'PGSSLMODE');
  const user = decodeURIComponent(u.username) || env.PGUSER || osUser(env);
  return {
    // an IPv6 address keeps no brackets: [::1] is the host ::1
    host: decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, '$1')) || env.PGHOST || DEFAULT_SOCKET_DIR,
    port: Number(u.port || env.PGPORT || 5432),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || env.PGDATABASE || user,
    user,
    password: u.password !== '' ? decodeURIComponent(u.password) : env.PGPASSWORD || undefined,
    applicationName: u.searchParams.get('application_name') ?? 'acctmgr',
    sslMode,
    sslRootCert: u.searchParams.get('sslrootcert') || undefined,
  };
}

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? 'postgres';
  }
}

export interface PgHandle {
  db: Kysely<DB>;
  pool: pg.Pool;
  settings: PgSettings;
  /** how the pool connects, as plain data (a worker thread's connection is made the same way: beside.ts) */
  connect: PgConnect;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** where a warning goes (a password file that others can read is ignored with one, as libpq does) */
  warn?: (text: string) => void;
  /** how long connecting may take over all attempts (default CONNECT_TIMEOUT_MS; tests make it short) */
  timeoutMs?: number;
}

export async function openPostgres(url: string, env: NodeJS.ProcessEnv, options: ConnectOptions = {}): Promise<PgHandle> {
  const s = pgSettings(url, env);
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const password = s.password ?? passwordFromFile(s, env, options.warn ?? (() => undefined));
  const base = { host: s.host, port: s.port, database: s.database, user: s.user, password, applicationName: s.applicationName };
  // one deadline for all attempts: prefer's plain attempt after TLS gets what TLS left of the time
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (const attempt of tlsAttempts(s.sslMode, s.sslRootCert, env)) {
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) break;
    let connect: PgConnect;
    try {
      connect = { ...base, tls: attempt() };
    } catch (e) {
      last = e;
      continue;
    }
    const pool = new pg.Pool({ ...clientConfig(connect, left), types: PG_TYPES, max: 4, Client: closingClient(pg.Client) });
    // an idle client's error (the server restarted) must not crash the process; the next query reports it
    pool.on('error', () => undefined);
    try {
      (await pool.connect()).release();
      // the pool's later connections (and a wait for a free one) have the whole time each
      pool.options.connectionTimeoutMillis = timeoutMs;
      const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
      return { db, pool, settings: s, connect, close: () => db.destroy() };
    } catch (e) {
      last = e;
      await pool.end().catch(() => undefined);
    }
  }
  throw connectError(s, last, timeoutMs);
}

/**
 * A query's rows a chunk at a time as arrays of their columns, on a connection of the pool, in one go
 * (src/db/pg-stream.ts); a caller that stops early drops the connection, whose result is still arriving.
 */
export async function* arrayChunks<R>(pool: pg.Pool, sql: string, parameters: readonly unknown[], rows: number): AsyncGenerator<R[]> {
  const client = await pool.connect();
  let done = false;
  try {
    yield* streamChunks<R>(client, sql, parameters, rows);
    done = true;
  } finally {
    client.release(done ? undefined : new Error('a scan was left before its end'));
  }
}

/** One line: where, and the server's (or the network's, or the TLS setup's) reason. */
export function connectError(s: PgSettings, e: unknown, timeoutMs = CONNECT_TIMEOUT_MS): AppError {
  const err = e as { code?: string; message?: string; hint?: string };
  const reason = /timeout/i.test(err.message ?? '') ? `no answer within ${timeoutMs / 1000} s` : (err.message ?? String(e));
  const hint =
    err.code === '3D000'
      ? `create it first: createdb -h ${s.host} -p ${s.port} ${s.database}`
      : err.code === '28P01' || err.code === '28000' || err.code === 'no_password'
        ? 'check the user, and the password in PGPASSWORD or ~/.pgpass'
        : err.code === 'root_certificate'
          ? err.hint
          : undefined;
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return new AppError(`cannot connect to PostgreSQL at ${host}:${s.port}, database ${s.database}: ${reason}`, 'refused', EXIT.failed, hint);
}
