/**
 * Connecting to PostgreSQL (PostgreSQL only): an IPv6 host. Servers here are test/helpers/pg-front.ts.
 */
import { afterEach, describe, expect, vi } from 'vitest';
import { connectError, pgSettings } from '../../src/db/postgres.js';
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
