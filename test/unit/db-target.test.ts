import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectError, openPostgres, pgSettings } from '../../src/db/postgres.js';
import { describeTarget, resolveDbTarget } from '../../src/db/target.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

const PG = process.env.ACCTMGR_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

describe('which database: --db, ACCTMGR_DB, the config file, the default', () => {
  it('takes them in that order; a path is a SQLite file, postgres:// and postgresql:// a server', () => {
    const env = { ACCTMGR_DB: 'postgresql://team@db.example/acct', XDG_DATA_HOME: '/data' };
    expect(resolveDbTarget('./a.db', env, 'c.db')).toEqual({ target: { kind: 'sqlite', path: './a.db' }, source: 'flag' });
    expect(resolveDbTarget(undefined, env, 'c.db')).toEqual({
      target: { kind: 'postgres', url: 'postgresql://team@db.example/acct' },
      source: 'environment',
    });
    expect(resolveDbTarget(undefined, {}, 'postgres://x@h/d').source).toBe('config file');
    expect(resolveDbTarget(undefined, { XDG_DATA_HOME: '/data' })).toEqual({
      target: { kind: 'sqlite', path: '/data/acctmgr/acctmgr.db' },
      source: 'default',
    });
  });

  it('refuses any other scheme, never taking a URL as a file name (exit 2)', () => {
    for (const v of ['mysql://u@h/db', 'file:///tmp/x.db', 'http://h/x', 'sqlite://x.db']) {
      expect(() => resolveDbTarget(v, {})).toThrow(UsageError);
    }
    expect(() => resolveDbTarget('mysql://u@h/db', {})).toThrow('--db: "mysql://" is not a database acctmgr can use');
  });

  it('refuses postgres: or postgresql: without "//" (any case) instead of taking it as a file name, showing the form (exit 2)', async () => {
    for (const [v, form] of [
      ['postgresql:root@127.0.0.1/x', 'postgresql://root@127.0.0.1/x'],
      ['POSTGRES:u@h:5433/db', 'POSTGRES://u@h:5433/db'],
      ['postgres:/h/db', 'postgres://h/db'],
      ['Postgresql:u:secret@h/db', 'Postgresql://u:****@h/db'],
    ]) {
      const e = (() => {
        try {
          return resolveDbTarget(undefined, { ACCTMGR_DB: v });
        } catch (e) {
          return e as UsageError;
        }
      })() as UsageError;
      expect(e).toBeInstanceOf(UsageError);
      expect(e.hint).toBe(`the form is postgres://USER@HOST:PORT/DBNAME: ${form}`);
      expect(e.message).not.toContain('secret');
    }
    const home = tempDir('acctmgr-home-');
    const r = await runCli(['--db', 'postgresql:root@127.0.0.1/x', 'accounts', 'list'], { env: { HOME: home } });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: --db: a value that starts with "postgresql:" is a PostgreSQL URL, and needs "//" after it (it is never a file name)\n' +
        'hint: the form is postgres://USER@HOST:PORT/DBNAME: postgresql://root@127.0.0.1/x\n',
    });
    // a file of that name is still a file, written as a path
    expect(resolveDbTarget('./postgres:x', {}).target).toEqual({ kind: 'sqlite', path: './postgres:x' });
  });

  it('names where a refused value came from: --db, ACCTMGR_DB, or the config file and its key', async () => {
    const home = tempDir('acctmgr-home-');
    const config = path.join(home, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ db: 'mysql://u@h/db' }));
    const hint = 'hint: give a SQLite file path, or a PostgreSQL URL postgres://USER@HOST:PORT/DBNAME\n';
    const env = { HOME: home, ACCTMGR_CONFIG: config };
    expect((await runCli(['accounts', 'list'], { env })).stderr).toBe(
      `error: ${config}: db: "mysql://" is not a database acctmgr can use\n${hint}`,
    );
    expect(await runCli(['accounts', 'list'], { env: { ...env, ACCTMGR_DB: 'mysql://x' } })).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ACCTMGR_DB: "mysql://" is not a database acctmgr can use\n${hint}`,
    });
    const withParameter = await runCli(['accounts', 'list'], { env: { ...env, ACCTMGR_DB: 'postgres://u@h/db?connect_timeout=3' } });
    expect(withParameter.stderr).toMatch(/^error: ACCTMGR_DB: unknown URL parameter "connect_timeout"\n/);
    // an empty --db or config "db" names no database: exit 2, never the environment's or the default file
    const empty = 'empty: give a SQLite file path or a PostgreSQL URL postgres://USER@HOST:PORT/DBNAME';
    const other = path.join(home, 'other.db');
    expect(
      await runCli(['--db', '', 'managers', 'add', '--login', 'zz', '--name', 'Z', '--email', 'z@v.example'], {
        env: { ...env, ACCTMGR_DB: other },
      }),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --db: ${empty}\n`,
    });
    expect(fs.existsSync(other)).toBe(false);
    fs.writeFileSync(config, JSON.stringify({ db: ' ' }));
    expect(await runCli(['accounts', 'list'], { env })).toEqual({ code: 2, stdout: '', stderr: `error: ${config}: db: ${empty}\n` });
    expect(fs.readdirSync(home).filter((f) => f !== 'config.json')).toEqual([]);
    fs.writeFileSync(config, JSON.stringify({ db: 'postgres:u@h/db' }));
    expect((await runCli(['accounts', 'list'], { env })).stderr).toMatch(
      new RegExp(`^error: ${config}: db: a value that starts with "postgres:"`),
    );
  });

  it('refuses a password in --db on the command line, naming the safe places; takes it from the environment or the file', () => {
    expect(() => resolveDbTarget('postgres://u:secret@h/db', {})).toThrow(/a password in the URL on the command line is refused/);
    try {
      resolveDbTarget('postgres://u:secret@h/db', {});
    } catch (e) {
      expect((e as UsageError).hint).toBe('put it in PGPASSWORD or ~/.pgpass, or give the URL in ACCTMGR_DB or as "db" in the config file');
      expect((e as UsageError).exitCode).toBe(2);
    }
    const fromEnv = resolveDbTarget(undefined, { ACCTMGR_DB: 'postgres://u:secret@h/db' });
    expect(fromEnv.target.kind).toBe('postgres');
    expect(describeTarget(fromEnv.target)).toBe('postgres://u:****@h/db');
    expect(resolveDbTarget(undefined, {}, 'postgres://u:secret@h/db').target.kind).toBe('postgres');
  });

  it('refuses a URL whose password or user name has an unencoded "/", "@" or "#" (a valid URL, but another host), showing none of it', () => {
    // `team:12/cd@host` parses as host "team", port 12 and database "cd@host/db"
    for (const [value, what] of [
      ['postgres://team:12/cd@host/db', 'an "@" after its host'],
      ['postgres://u:1#b@host/db', 'a "#"'],
    ] as const) {
      for (const env of [{ ACCTMGR_DB: value }, {}]) {
        const flag = 'ACCTMGR_DB' in env ? undefined : value;
        let error: UsageError | undefined;
        try {
          resolveDbTarget(flag, env);
        } catch (e) {
          error = e as UsageError;
        }
        expect(error?.exitCode).toBe(2);
        expect(error?.message).toBe(
          `${flag ? '--db' : 'ACCTMGR_DB'}: the URL has ${what}: a user name or password with "/", "?", "#" or "@" must be percent-encoded (%2F, %3F, %23, %40)`,
        );
      }
    }
    expect(resolveDbTarget(undefined, { ACCTMGR_DB: 'postgres://team:12%2Fcd@host/db' }).target.kind).toBe('postgres');
  });
});

describe('PostgreSQL connection settings', () => {
  it("libpq's defaults and parameters: sslmode, application_name; anything else is refused", () => {
    expect(pgSettings('postgres://anna@db.example:6543/acct?sslmode=verify-full&application_name=cron', {})).toEqual({
      host: 'db.example',
      port: 6543,
      database: 'acct',
      user: 'anna',
      password: undefined,
      applicationName: 'cron',
      sslMode: 'verify-full',
    });
    const d = pgSettings('postgres://anna@db.example/', { PGPASSWORD: 'pw' });
    expect(d).toMatchObject({ port: 5432, database: 'anna', password: 'pw', sslMode: 'prefer', applicationName: 'acctmgr' });
    expect(() => pgSettings('postgres://a@h/d?sslmode=sometimes', {})).toThrow(/sslmode "sometimes" is not one of/);
    expect(() => pgSettings('postgres://a@h/d', { PGSSLMODE: 'sometimes' })).toThrow(/^PGSSLMODE: sslmode "sometimes" is not one of/);
    expect(() => resolveDbTarget('postgres://a@h/d?connect_timeout=3', {})).toThrow('--db: unknown URL parameter "connect_timeout"');
    expect(() => resolveDbTarget('postgres://a@h/d?sslmode=sometimes', {})).toThrow(/^--db: sslmode "sometimes" is not one of/);
  });

  it('a missing database, a closed port: exit 1, one line naming host, port, database and the reason', async () => {
    const missing = new URL(PG);
    missing.pathname = '/acctmgr_no_such_database';
    const e1 = (await openPostgres(missing.href, {}).catch((e: unknown) => e)) as Error & { hint?: string; exitCode: number };
    expect(e1.message).toBe(
      `cannot connect to PostgreSQL at ${missing.hostname}:${missing.port || 5432}, database acctmgr_no_such_database: database "acctmgr_no_such_database" does not exist`,
    );
    expect(e1.hint).toMatch(/^create it first: createdb/);
    expect(e1.exitCode).toBe(1);
    const e2 = (await openPostgres('postgres://root@127.0.0.1:1/x?sslmode=disable', {}).catch((e: unknown) => e)) as Error;
    expect(e2.message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1, database x: connect ECONNREFUSED/);
    expect(connectError(pgSettings('postgres://u@h/d', {}), new Error('timeout expired')).message).toBe(
      'cannot connect to PostgreSQL at h:5432, database d: no answer within 10 s',
    );
  });

  it('connects with every sslmode the server allows, and 64-bit integers come back as numbers', async () => {
    for (const mode of ['disable', 'allow', 'prefer']) {
      const url = new URL(PG);
      url.searchParams.set('sslmode', mode);
      const h = await openPostgres(url.href, {});
      const r = await h.pool.query('select 9007199254740991::bigint as big, count(*) as n from pg_class where false');
      expect(r.rows[0]).toEqual({ big: 9007199254740991, n: 0 });
      await h.close();
    }
  });

  it('sslmode=require insists on TLS, as libpq does (this test server has none)', async () => {
    const url = new URL(PG);
    url.searchParams.set('sslmode', 'require');
    const h = await openPostgres(url.href, {}).catch((e: unknown) => e as Error);
    if (!(h instanceof Error)) {
      const r = await h.pool.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
      expect(r.rows[0]).toEqual({ ssl: true });
      await h.close();
    } else expect(h.message).toMatch(/: The server does not support SSL connections$/);
  });
});

describe('constraint failures read the same on both engines', () => {
  it('a unique key and a reference, from PostgreSQL, become the conflicts SQLite gives', async () => {
    const { translateConstraint } = await import('../../src/db/constraint-errors.js');
    const pg = (code: string, table: string, detail: string) => Object.assign(new Error('x'), { code, table, detail, severity: 'ERROR' });
    expect((translateConstraint(pg('23505', 'contacts', 'Key (account_id, email_key)=(1, a@b.c) already exists.')) as Error).message).toBe(
      'contacts: account_id + email already exists',
    );
    const sqlite = Object.assign(new Error('UNIQUE constraint failed: contacts.account_id, contacts.email_key'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    expect((translateConstraint(sqlite) as Error).message).toBe('contacts: account_id + email already exists');
    expect((translateConstraint(pg('23503', 'seats', 'Key (contact_id)=(9) is not present in table "contacts".')) as Error).message).toBe(
      (translateConstraint(Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })) as Error)
        .message,
    );
  });
});
