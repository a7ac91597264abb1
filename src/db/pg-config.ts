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

/**
 * node-postgres's Client whose socket is closed when connecting fails. node-postgres reports a failure
 * during authentication (above all noPassword's) but leaves the socket open: the process then waits for
 * the server to drop it (authentication_timeout, 60 s by default) and for a peer that never does, forever
 * — a cron run without its password file hung. The pool makes its clients from this class (`Client`).
 */
export function closingClient(Base: typeof pg.Client): typeof pg.Client {
  return class ClosingClient extends Base {
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): Promise<pg.Client> | void {
      const close = () => (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      if (!callback)
        return super.connect().catch((err: unknown) => {
          close();
          throw err;
        });
      super.connect((err: Error | null, client?: pg.Client) => {
        if (err) close();
        (callback as (err: Error | null, c?: pg.Client) => void)(err, client);
      });
    }
  };
}
