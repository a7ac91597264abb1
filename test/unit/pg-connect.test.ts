/**
 * Connecting to PostgreSQL (PostgreSQL only): the one deadline over sslmode's attempts, an IPv6 host.
 * Servers here are test/helpers/pg-front.ts.
 */
import { afterEach, describe, expect, vi } from 'vitest';
import { connectError, openPostgres, pgSettings } from '../../src/db/postgres.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { itPostgres } from '../helpers/engine.js';
import { createPgDatabase, dropPgDatabase, nameOf } from '../helpers/pg.js';
import { startFront, type Front } from '../helpers/pg-front.js';

let fronts: Front[] = [];
const front = async (...args: Parameters<typeof startFront>) => {
  const f = await startFront(...args);
  fronts.push(f);
  return f;
};
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(fronts.map((f) => f.close()));
  fronts = [];
});

/** A home of the test's own: no ~/.pgpass, no ~/.postgresql/root.crt but what the test puts there. */
const noPassword = { PGPASSWORD: undefined, PGPASSFILE: undefined, PGSSLROOTCERT: undefined, PGSSLMODE: undefined };

describe('connecting gives up after one deadline over all attempts (PostgreSQL only)', () => {
  itPostgres('a server that accepts and never answers: prefer and allow stop at the deadline, after one attempt', async () => {
    const env = { HOME: tempDir('acctmgr-home-') };
    for (const mode of ['prefer', 'allow', 'require']) {
      const f = await front({ hang: 'at once' });
      const started = performance.now();
      const e = (await openPostgres(f.url('x', `sslmode=${mode}`), env, { timeoutMs: 400 }).catch((e: unknown) => e)) as Error;
      const took = performance.now() - started;
      expect(e.message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${f.port}, database x: no answer within 0.4 s`);
      // two attempts of 400 ms each took 800 ms and more before
      expect(took).toBeGreaterThanOrEqual(390);
      expect(took).toBeLessThan(700);
      expect(f.connections).toHaveLength(1);
    }
  });

  itPostgres(
    "prefer's plain attempt after a refused TLS gets what is left of the time; the pool's later connections the whole",
    async () => {
      const env = { HOME: tempDir('acctmgr-home-') };
      const hung = await front({ hang: 'after SSLRequest' });
      const started = performance.now();
      const e = (await openPostgres(hung.url('x'), env, { timeoutMs: 400 }).catch((e: unknown) => e)) as Error;
      expect(e.message).toMatch(/: no answer within 0\.4 s$/);
      expect(performance.now() - started).toBeLessThan(700);
      expect(hung.connections).toHaveLength(2);
      const f = await front();
      const h = await openPostgres(f.url(), env, { timeoutMs: 5000 });
      expect(f.connections.map((c) => c.tls)).toEqual([false, false]);
      expect(h.pool.options.connectionTimeoutMillis).toBe(5000);
      await h.close();
    },
  );
});

describe('an IPv6 host (PostgreSQL only)', () => {
  itPostgres('postgres://root@[::1]:PORT/db connects to ::1 (the brackets are the URL’s, not the host’s)', async () => {
    expect(pgSettings('postgres://root@[::1]:5432/test', {}).host).toBe('::1');
    expect(pgSettings('postgresql://root@[2001:db8::5]/test', {}).host).toBe('2001:db8::5');
    expect(connectError(pgSettings('postgres://u@[::1]/d', {}), new Error('timeout expired')).message).toBe(
      'cannot connect to PostgreSQL at [::1]:5432, database d: no answer within 10 s',
    );
    const db = await createPgDatabase();
    try {
      const f = await front({ host: '::1' });
      expect(f.url(nameOf(db))).toMatch(/^postgres:\/\/root@\[::1\]:\d+\//);
      const r = await runCli(['accounts', 'list', '--json'], {
        db: f.url(nameOf(db)),
        env: { HOME: tempDir('acctmgr-home-'), ...noPassword },
      });
      expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
      expect(f.connections.length).toBeGreaterThan(0);
    } finally {
      await dropPgDatabase(db);
    }
  });
});
