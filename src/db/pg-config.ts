/**
 * How a connection to PostgreSQL is made, as plain data: the pool (postgres.ts) and a worker thread's own
 * connection (beside-worker.ts) are built from it by the one function below, so that both ask the same
 * of the server — the TLS checks included, which as node-postgres options hold a function that cannot
 * cross a thread. Imports nothing heavy: the worker thread loads it.
 */
import type pg from 'pg';
import { sslOption, type TlsChecks } from './pg-tls.js';

/** Connecting gives up after this long: over all of an sslmode's attempts (postgres.ts), and per later connection. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface PgConnect {
  host: string;
  port: number;
  database: string;
  user: string;
  /** libpq's: the URL's, PGPASSWORD or the password file's (pg-password.ts); none: the server must not ask */
  password?: string;
  applicationName: string;
  tls: TlsChecks | false;
}

export function clientConfig(c: PgConnect, timeoutMs: number): pg.ClientConfig {
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    // never undefined: node-postgres would read PGPASSWORD and ~/.pgpass itself (with a warning on stderr)
    password: c.password ?? noPassword,
    application_name: c.applicationName,
    ssl: sslOption(c.tls),
    connectionTimeoutMillis: timeoutMs,
  };
}

/** The server asked for a password and there is none (libpq: "fe_sendauth: no password supplied"). */
function noPassword(): Promise<string> {
  return Promise.reject(Object.assign(new Error('the server asks for a password and none was given'), { code: 'no_password' }));
}
