/**
 * TLS to PostgreSQL as libpq 15 does it (PostgreSQL only): a server in front of the test server
 * (test/helpers/pg-front.ts) answers the SSLRequest with 'S' and TLS, with certificates made here by
 * openssl. Which sslmodes connect, which refuse and why, with and without a root certificate file, and
 * the same checks on a worker thread's connection as on the pool's.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, vi } from 'vitest';
import type * as Beside from '../../src/db/beside.js';
import type * as Connection from '../../src/db/connection.js';
import { built, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';
import { itPostgres, onPostgres } from '../helpers/engine.js';
import { createPgDatabase, dropPgDatabase, nameOf } from '../helpers/pg.js';
import { startFront, type Front, type FrontOptions } from '../helpers/pg-front.js';

let dir = '';
let db = '';
const key = (name: string) => fs.readFileSync(path.join(dir, `${name}.key`), 'utf8');
const cert = (name: string) => fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8');

/** A CA, another CA, and two server certificates signed by the first: one names 127.0.0.1, one db.example. */
function makeCertificates(): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${ca}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
  }
  for (const [name, san] of [
    ['named', 'IP:127.0.0.1'],
    ['misnamed', 'DNS:db.example'],
  ]) {
    ssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  }
}

beforeAll(async () => {
  if (!onPostgres) return;
  dir = tempDir('acctmgr-certs-');
  makeCertificates();
  db = await createPgDatabase();
});
afterAll(async () => {
  if (db) await dropPgDatabase(db);
});

let fronts: Front[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(fronts.map((f) => f.close()));
  fronts = [];
});
const front = async (server: 'named' | 'misnamed', options: FrontOptions = {}) => {
  const f = await startFront({ tls: { key: key(server), cert: cert(server) }, ...options });
  fronts.push(f);
  return f;
};

/** A home of its own, with ~/.postgresql/root.crt when given the name of a CA. */
function home(rootCa?: string): string {
  const h = tempDir('acctmgr-home-');
  if (rootCa) {
    fs.mkdirSync(path.join(h, '.postgresql'));
    fs.copyFileSync(path.join(dir, `${rootCa}.crt`), path.join(h, '.postgresql', 'root.crt'));
  }
  return h;
}

const clean = { PGPASSWORD: undefined, PGPASSFILE: undefined, PGSSLROOTCERT: undefined, PGSSLMODE: undefined };
async function list(f: Front, query: string, env: NodeJS.ProcessEnv) {
  return runCli(['accounts', 'list', '--json'], { db: f.url(nameOf(db), query), env: { ...clean, ...env } });
}
const ok = { code: 0, stdout: '[]\n', stderr: '' };
const refused = (f: Front, reason: string, hint?: string) => ({
  code: 1,
  stdout: '',
  stderr: `error: cannot connect to PostgreSQL at 127.0.0.1:${f.port}, database ${nameOf(db)}: ${reason}\n${hint ? `hint: ${hint}\n` : ''}`,
});

describe("sslmode with libpq's root certificate rules (PostgreSQL only)", () => {
  itPostgres(
    'no root certificate file: require encrypts without checking; verify-ca and verify-full refuse, not trusting Node’s CAs',
    async () => {
      const f = await front('named');
      const h = home();
      const warnings = vi.spyOn(process, 'emitWarning');
      expect(await list(f, 'sslmode=require', { HOME: h })).toEqual(ok);
      expect(f.connections.every((c) => c.tls)).toBe(true);
      const missing = `root certificate file "${h}/.postgresql/root.crt" does not exist`;
      const hint =
        'either provide the file (or name it: sslrootcert=FILE in the URL, or PGSSLROOTCERT) or change sslmode to disable server certificate verification';
      const before = f.connections.length;
      for (const mode of ['verify-ca', 'verify-full'])
        expect(await list(f, `sslmode=${mode}`, { HOME: h })).toEqual(refused(f, missing, hint));
      expect(f.connections).toHaveLength(before);
      expect(warnings).not.toHaveBeenCalled();
    },
  );

  itPostgres(
    '~/.postgresql/root.crt: require checks who signed the certificate (verify-ca); prefer falls back to plain when it refuses it',
    async () => {
      const f = await front('misnamed');
      const wrong = home('other-ca');
      expect(await list(f, 'sslmode=require', { HOME: wrong })).toEqual(refused(f, 'unable to verify the first certificate'));
      expect(f.connections.map((c) => c.tls)).toEqual([true]);
      expect(await list(f, 'sslmode=prefer', { HOME: wrong })).toEqual(ok);
      expect(f.connections[1]).toMatchObject({ tls: true, params: {} });
      expect(f.connections.slice(2).every((c) => !c.tls && c.params.user === 'root')).toBe(true);
      // signed by the CA, for another name: the chain is all that require and verify-ca check
      const right = home('ca');
      for (const mode of ['require', 'verify-ca', 'prefer']) expect(await list(f, `sslmode=${mode}`, { HOME: right })).toEqual(ok);
      expect(await list(f, 'sslmode=verify-full', { HOME: right })).toEqual(
        refused(f, "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: "),
      );
    },
  );

  itPostgres(
    'PGSSLROOTCERT, and sslrootcert in the URL before it, name the file; verify-full checks the name; sslrootcert=system is refused',
    async () => {
      const f = await front('named');
      const h = home();
      const ca = path.join(dir, 'ca.crt');
      const other = path.join(dir, 'other-ca.crt');
      expect(await list(f, 'sslmode=verify-full', { HOME: h, PGSSLROOTCERT: ca })).toEqual(ok);
      expect(await list(f, `sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`, { HOME: h, PGSSLROOTCERT: other })).toEqual(ok);
      expect(await list(f, 'sslmode=verify-full', { HOME: h, PGSSLROOTCERT: other })).toEqual(
        refused(f, 'unable to verify the first certificate'),
      );
      const none = await list(f, 'sslmode=verify-ca&sslrootcert=/nonexistent/root.crt', { HOME: h });
      expect(none.stderr).toMatch(/: root certificate file "\/nonexistent\/root\.crt" does not exist\n/);
      expect(await list(f, 'sslmode=verify-full&sslrootcert=system', { HOME: h })).toEqual({
        code: 2,
        stdout: '',
        stderr:
          "error: ACCTMGR_DB: sslrootcert=system is not supported (it is PostgreSQL 16's; acctmgr follows libpq 15)\n" +
          "hint: give the path of the file of the CA that signed the server's certificate\n",
      });
    },
  );

  itPostgres('a worker thread’s own connection makes the checks the pool made (verify-ca: the chain, not the name)', async () => {
    const f = await front('misnamed');
    const { openDb } = await built<typeof Connection>('src/db/connection.js');
    const { beside } = await built<typeof Beside>('src/db/beside.js');
    const part = path.join(tempDir('acctmgr-part-'), 'part.js');
    fs.writeFileSync(path.join(path.dirname(part), 'package.json'), '{"type": "module"}');
    fs.writeFileSync(
      part,
      "import { isMainThread } from 'node:worker_threads';\n" +
        "export async function probe(client) { await client.query('select 1'); return isMainThread ? 'main thread' : 'worker'; }\n",
    );
    const h = await openDb(f.url(nameOf(db), 'sslmode=verify-ca'), { env: { ...clean, HOME: home('ca') } });
    try {
      // the part runs here only when the worker cannot connect (or is not given the settings)
      const run = beside(h, {
        fn: () => Promise.resolve('main thread'),
        bare: () => ({ module: pathToFileURL(part), name: 'probe', args: [] }),
      });
      expect(await run.result()).toBe('worker');
    } finally {
      await h.close();
    }
    expect(f.connections.length).toBeGreaterThanOrEqual(2);
    expect(f.connections.every((c) => c.tls)).toBe(true);
  });
});
