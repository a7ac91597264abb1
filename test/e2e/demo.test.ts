import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFiles, expectDbClean, ROOT, runCli, runJson, spawnCli } from '../helpers/cli.js';
import { itPostgres, itSqlite } from '../helpers/engine.js';

const given = dbFiles();

describe("acctmgr demo (the README's first command)", () => {
  // a process: the bundled fixtures are found beside the built program (dist/), as after npm install
  it('loads every fixture into a fresh database and shows accounts and the notices due', async () => {
    const r = await spawnCli(['demo'], { env: { ACCTMGR_DB: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('SCH-001');
    expect(r.stdout).toContain('Първа английска езикова гимназия');
    expect(r.stdout).toMatch(/renewal-6w/);
    expect(r.stdout).toMatch(/dormant-3m/);
    const db = /The demo database is (.+)\n/.exec(r.stderr)?.[1];
    expect(db && fs.existsSync(db)).toBe(true);
    const accounts = await runJson<unknown[]>(['accounts', 'list'], { db });
    expect(accounts.length).toBe(20);
    expect(await runJson<unknown[]>(['trainings', 'list'], { db })).toHaveLength(8);
    await expectDbClean(db!);
    fs.rmSync(path.dirname(db!), { recursive: true, force: true });
  });

  itSqlite('refuses to replace an existing --db without --yes, and replaces it with --yes (SQLite only)', async () => {
    const db = given.fresh();
    const fixtures = ['--fixtures', path.join(ROOT, 'fixtures')];
    await runJson(['managers', 'add', '--login', 'keep', '--name', 'K', '--email', 'k@vendor.example'], { db });
    const refused = await runCli(['demo', '--db', db, ...fixtures]);
    expect(refused.code).toBe(2);
    expect(await runJson<unknown[]>(['managers', 'list'], { db })).toHaveLength(1);
    const replaced = await runCli(['demo', '--db', db, '--yes', ...fixtures]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const managers = await runJson<{ login: string }[]>(['managers', 'list'], { db });
    expect(managers.map((m) => m.login)).not.toContain('keep');
  });

  itSqlite(
    'a --fixtures that is no directory is refused before any database is made or replaced; --json is refused (SQLite only)',
    async () => {
      const db = given.fresh();
      const missing = path.join(path.dirname(db), 'no-such-dir');
      const r = await runCli(['demo', '--db', db, '--fixtures', missing]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `error: --fixtures directory not found: "${missing}"\n` });
      expect(fs.existsSync(db)).toBe(false);
      await runJson(['managers', 'add', '--login', 'keep', '--name', 'K', '--email', 'k@vendor.example'], { db });
      expect((await runCli(['demo', '--db', db, '--yes', '--fixtures', missing])).code).toBe(1);
      expect(await runJson<unknown[]>(['managers', 'list'], { db })).toHaveLength(1);
      const json = await runCli(['demo', '--db', db, '--yes', '--json', '--fixtures', path.join(ROOT, 'fixtures')]);
      expect(json.code).toBe(2);
      expect(json.stdout).toBe('');
      expect(await runJson<unknown[]>(['managers', 'list'], { db })).toHaveLength(1);
    },
  );

  itPostgres(
    'loads into an empty PostgreSQL database, and refuses a non-empty one even with --yes, deleting nothing (PostgreSQL only)',
    async () => {
      const db = given.fresh();
      const fixtures = ['--fixtures', path.join(ROOT, 'fixtures')];
      const loaded = await runCli(['demo', '--db', db, ...fixtures]);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(loaded.stdout).toContain('SCH-001');
      expect(await runJson<unknown[]>(['accounts', 'list'], { db })).toHaveLength(20);
      expect(await runJson<unknown[]>(['trainings', 'list'], { db })).toHaveLength(8);
      await expectDbClean(db);

      const team = given.fresh();
      await runJson(['managers', 'add', '--login', 'keep', '--name', 'K', '--email', 'k@vendor.example'], { db: team });
      for (const yes of [[], ['--yes']]) {
        const refused = await runCli(['demo', '--db', team, ...yes, ...fixtures]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('is not empty: on PostgreSQL the demo loads only into an empty database and never deletes data');
      }
      expect(await runJson<{ login: string }[]>(['managers', 'list'], { db: team })).toMatchObject([{ login: 'keep' }]);
      expect(await runJson<unknown[]>(['accounts', 'list'], { db: team })).toHaveLength(0);
    },
  );
});
