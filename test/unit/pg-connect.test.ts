/**
 * Connecting to PostgreSQL (PostgreSQL only): the one deadline over sslmode's attempts, the password
 * file read by libpq's rules and never by node-postgres, an IPv6 host. Servers here are test/helpers/pg-front.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, vi } from 'vitest';
import { connectError, openPostgres, pgSettings } from '../../src/db/postgres.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { itPostgres } from '../helpers/engine.js';
import { createPgDatabase, dropPgDatabase, nameOf } from '../helpers/pg.js';
import { md5Answer, startFront, type Front } from '../helpers/pg-front.js';

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
      const e = (await openPostgres(f.url('x', `sslmode=${mode}`), env, { timeoutMs: 500 }).catch((e: unknown) => e)) as Error;
      const took = performance.now() - started;
      expect(e.message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${f.port}, database x: no answer within 0.5 s`);
      // two attempts of 500 ms each took 1000 ms and more before; the margin is for a busy machine
      expect(took).toBeGreaterThanOrEqual(490);
      expect(took).toBeLessThan(950);
      expect(f.connections).toHaveLength(1);
    }
  });

  itPostgres(
    "prefer's plain attempt after a refused TLS gets what is left of the time; the pool's later connections the whole",
    async () => {
      const env = { HOME: tempDir('acctmgr-home-') };
      const hung = await front({ hang: 'after SSLRequest' });
      const started = performance.now();
      const e = (await openPostgres(hung.url('x'), env, { timeoutMs: 500 }).catch((e: unknown) => e)) as Error;
      expect(e.message).toMatch(/: no answer within 0\.5 s$/);
      expect(performance.now() - started).toBeLessThan(950);
      expect(hung.connections).toHaveLength(2);
      const f = await front();
      const h = await openPostgres(f.url(), env, { timeoutMs: 5000 });
      expect(f.connections.map((c) => c.tls)).toEqual([false, false]);
      expect(h.pool.options.connectionTimeoutMillis).toBe(5000);
      await h.close();
    },
  );
});

describe('the password: PGPASSWORD or the password file, read here and never by node-postgres (PostgreSQL only)', () => {
  itPostgres('a server that asks for it (cleartext, md5) gets the one in ~/.pgpass (0600), and stderr stays empty', async () => {
    const db = await createPgDatabase();
    try {
      for (const method of ['cleartext', 'md5'] as const) {
        const f = await front({ password: method });
        const home = tempDir('acctmgr-home-');
        fs.writeFileSync(path.join(home, '.pgpass'), `# the team's\n127.0.0.1:${f.port}:${nameOf(db)}:root:s3cr\\:et\n`, { mode: 0o600 });
        const warnings = vi.spyOn(process, 'emitWarning');
        const r = await runCli(['accounts', 'list', '--json'], { db: f.url(nameOf(db)), env: { HOME: home, ...noPassword } });
        expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
        expect(warnings).not.toHaveBeenCalled();
        // prefer: a TLS attempt the server refuses, then plain ones, each asked for the password
        const asked = f.connections.filter((c) => c.params.user);
        expect(asked.length).toBeGreaterThan(0);
        for (const c of asked) expect(c.password).toBe(method === 'md5' ? md5Answer('root', 's3cr:et', c.salt!) : 's3cr:et');
      }
    } finally {
      await dropPgDatabase(db);
    }
  });

  itPostgres('PGPASSWORD wins; none anywhere is one line (exit 1); a ~/.pgpass others can read is ignored with a warning', async () => {
    const f = await front({ password: 'cleartext' });
    const home = tempDir('acctmgr-home-');
    const env = { HOME: home, ...noPassword };
    const warnings = vi.spyOn(process, 'emitWarning');
    const url = f.url('x', 'sslmode=disable');
    fs.writeFileSync(path.join(home, '.pgpass'), '*:*:*:*:from-file\n', { mode: 0o644 });
    const none = await runCli(['accounts', 'list'], { db: url, env });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `warning: password file "${home}/.pgpass" has group or world access; permissions should be u=rw (0600) or less; it is ignored\n` +
        `error: cannot connect to PostgreSQL at 127.0.0.1:${f.port}, database x: the server asks for a password and none was given\n` +
        'hint: check the user, and the password in PGPASSWORD or ~/.pgpass\n',
    );
    // the front never closes a connection that owes it a password: the client must (it hung until the server gave up)
    await expect.poll(() => f.connections[0]!.closed, { timeout: 2000 }).toBe(true);
    await runCli(['accounts', 'list'], { db: url, env: { ...env, PGPASSWORD: 'from-env' } });
    expect(f.connections.map((c) => c.password)).toEqual([undefined, 'from-env']);
    expect(warnings).not.toHaveBeenCalled();
  });
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
