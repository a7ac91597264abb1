/** Connecting to PostgreSQL, and its migration rule: migrations run only through `db migrate`. (PostgreSQL only) */
import { describe, expect } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { itPostgres } from '../helpers/engine.js';
import { createPgDatabase, dropPgDatabase, urlOf } from '../helpers/pg.js';

/** `text` matched literally in a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('PostgreSQL: connecting and migrating (PostgreSQL only)', () => {
  itPostgres('refuses an unmigrated database until db migrate, which migrates it once', async () => {
    const url = await createPgDatabase('template0');
    try {
      const before = await runCli(['managers', 'list'], { db: url });
      expect(before.code).toBe(1);
      expect(before.stderr).toMatch(/has no acctmgr schema yet/);
      expect(before.stderr).toMatch(/acctmgr db migrate/);
      const status = await runCli(['db', 'status', '--json'], { db: url });
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as { applied: boolean }[]).every((m) => !m.applied)).toBe(true);
      const migrate = await runCli(['db', 'migrate'], { db: url });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stderr).toMatch(/^applied 0001_foundation/);
      const again = await runCli(['db', 'migrate'], { db: url });
      expect(again.stderr).toBe('already up to date\n');
      const list = await runCli(['managers', 'list', '--json'], { db: url });
      expect([list.code, list.stdout]).toEqual([0, '[]\n']);
    } finally {
      await dropPgDatabase(url);
    }
  });

  itPostgres('a missing database is one line naming host, port and database, with how to create it', async () => {
    const url = urlOf('acctmgr_no_such_database');
    // the test server's host and port (ACCTMGR_TEST_PG_URL), as the message names them
    const { hostname, port } = new URL(url);
    const host = literal(decodeURIComponent(hostname));
    const r = await runCli(['managers', 'list'], { db: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error: cannot connect to PostgreSQL at ${host}:${port || 5432}, database acctmgr_no_such_database: .*does not exist\\n`),
    );
    expect(r.stderr).toMatch(new RegExp(`createdb -h ${host} -p ${port || 5432} acctmgr_no_such_database`));
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
  });

  itPostgres('a URL with a password on the command line is refused with exit 2; other schemes too', async () => {
    const pw = await runCli(['managers', 'list', '--db', 'postgres://root:secret@127.0.0.1/test']);
    expect(pw.code).toBe(2);
    expect(pw.stderr).toMatch(/PGPASSWORD or ~\/\.pgpass/);
    const mysql = await runCli(['managers', 'list', '--db', 'mysql://root@127.0.0.1/test']);
    expect(mysql.code).toBe(2);
  });
});
