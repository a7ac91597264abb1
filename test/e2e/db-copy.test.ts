/**
 * `acctmgr db copy --to URL`: a team's SQLite database moved into PostgreSQL. These tests need both
 * engines at once (a SQLite source, a PostgreSQL target), so they run in the PostgreSQL project.
 */
import path from 'node:path';
import { sql } from '#kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { expectDbClean, ROOT, runCli, runJson } from '../helpers/cli.js';
import { dbMigratedTo, openTestDb, removeDb, seededDb, tempDbPath, tempDir } from '../helpers/db.js';
import { auditActor, itPostgres } from '../helpers/engine.js';
import { createPgDatabase, nameOf, PG_BASE_URL } from '../helpers/pg.js';
import { rawExec } from '../helpers/raw.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});
afterEach(() => {
  smtp.messages.length = 0;
});
const mailEnv = () => ({
  ACCTMGR_SMTP_URL: smtp.url,
  ACCTMGR_MAIL_FROM: 'reminders@vendor.example',
  ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
});

interface AuditRow {
  id: number;
  actor: string;
  action: string;
  entity: string;
}

/** The demo data set (imported: import history), a custom field with a value, a sub-account, a leave; its SQLite file. */
async function teamDatabase(): Promise<string> {
  const src = tempDbPath();
  const demo = await runCli(['--db', src, 'demo', '--fixtures', path.join(ROOT, 'fixtures')]);
  expect(demo.code, demo.stderr).toBe(0);
  const field = await runCli(['fields', 'define', 'crm_id', '--type', 'text'], { db: src });
  expect(field.code, field.stdout + field.stderr).toBe(0);
  // a parent with a later id than its sub-account: a reference within a table that points forward
  const edit = await runCli(['accounts', 'edit', 'SCH-001', '--field', 'crm_id=4712', '--parent-external-id', 'GST-002'], { db: src });
  expect(edit.code, edit.stderr).toBe(0);
  await seededDb(async ({ db, seed }) => {
    const [a, b] = await db.selectFrom('managers').select('id').orderBy('id').limit(2).execute();
    await seed.leave(a!.id, b!.id, '2027-01-04', '2027-01-15');
  }, src);
  return src;
}

/**
 * The planner's row count of a table (pg_class.reltuples: -1 until the table was first analyzed or
 * vacuumed) and its pages marked all-visible (relallvisible: 0 until a VACUUM sets its visibility map).
 */
async function planned(url: string, table: string): Promise<{ rows: number; visible: number }> {
  const h = await openTestDb(url, { migrate: false, allowNewer: true });
  try {
    const { rows } = await sql<{
      n: number;
      v: number;
    }>`select reltuples::int as n, relallvisible::int as v from pg_class where oid = ${table}::regclass`.execute(h.db);
    return { rows: Number(rows[0]!.n), visible: Number(rows[0]!.v) };
  } finally {
    await h.close();
  }
}

/** The target's indexes, constraints and column defaults as the server defines them (a copy drops and makes some again). */
async function catalogue(url: string): Promise<unknown[]> {
  const h = await openTestDb(url, { migrate: false, allowNewer: true });
  try {
    const { rows } = await sql<{ kind: string; name: string; def: string | null }>`
      select 'index' as kind, indexname as name, indexdef as def from pg_indexes where schemaname = current_schema()
      union all select 'constraint', conrelid::regclass || '.' || conname, pg_get_constraintdef(oid) from pg_constraint
        where connamespace = current_schema()::regnamespace
      union all select 'default', table_name || '.' || column_name, column_default from information_schema.columns
        where table_schema = current_schema()
      order by 1, 2`.execute(h.db);
    return rows;
  } finally {
    await h.close();
  }
}

describe('db copy --to URL (PostgreSQL only: from a SQLite database into it)', () => {
  itPostgres('copies every table in one go, ids and ledger as they are: the first remind --send there resends nothing', async () => {
    const src = await teamDatabase();
    const sent = await runCli(['remind', '--send'], { db: src, env: mailEnv() });
    expect(sent.code, sent.stderr).toBe(0);
    expect(smtp.messages.length).toBeGreaterThan(0);
    smtp.messages.length = 0;

    // who made each change on SQLite (OS users): the copy keeps them, though the target's server sets the
    // actor of every other row inserted into audit_log to the inserting role (migration 0018)
    await rawExec(src, `update audit_log set actor = case when id % 2 = 0 then 'anna-laptop' else 'ivan-desktop' end`);
    const to = await createPgDatabase();
    const schema = await catalogue(to);
    const copy = await runCli(['db', 'copy', '--to', to, '--json'], { db: src });
    expect(copy.code, copy.stderr).toBe(0);
    // loaded with COPY, each table's indexes and foreign keys dropped and made again: all as they were
    expect(await catalogue(to)).toEqual(schema);
    const summary = JSON.parse(copy.stdout) as { from: string; to: string; tables: { table: string; rows: number }[]; rows: number };
    expect(summary).toMatchObject({ from: src, to });
    const rows = Object.fromEntries(summary.tables.map((t) => [t.table, t.rows]));
    for (const table of ['notices', 'audit_log', 'manager_leaves', 'import_batches', 'custom_fields', 'account_field_values', 'contacts'])
      expect(rows[table], table).toBeGreaterThan(0);
    expect(copy.stderr).toContain(`notices: ${rows.notices} row(s)\n`);
    expect(copy.stderr).toContain(`copied ${summary.rows} row(s) in ${summary.tables.length} tables into ${to}\n`);
    // analyzed with the copy, and vacuumed after it: the planner knows the tables' sizes at once, and index-only
    // scans need not read the rows (not only after autovacuum)
    const contacts = await planned(to, 'contacts');
    expect(contacts.rows).toBe(rows.contacts);
    expect(contacts.visible).toBeGreaterThan(0);

    // the same records, listed the same, on both
    for (const args of [
      ['managers', 'list'],
      ['accounts', 'list'],
      ['accounts', 'show', 'SCH-001'],
      ['contacts', 'list'],
      ['subscriptions', 'list'],
      ['notices', 'list'],
      ['import', 'history'],
      ['fields', 'list'],
      ['managers', 'show', 'akowalski'],
    ])
      expect(await runJson(args, { db: to }), args.join(' ')).toEqual(await runJson(args, { db: src }));
    expect(await runJson(['accounts', 'show', 'SCH-001'], { db: to })).toMatchObject({ parent_external_id: 'GST-002' });
    // the audit log too, and the copy audited on the target after it, with the next id
    const before = await runJson<AuditRow[]>(['audit'], { db: src });
    const after = await runJson<AuditRow[]>(['audit'], { db: to });
    expect(after.slice(0, -1)).toEqual(before);
    expect(new Set(after.slice(0, -1).map((r) => r.actor))).toEqual(new Set(['anna-laptop', 'ivan-desktop']));
    expect(after.at(-1)).toMatchObject({ id: before.at(-1)!.id + 1, action: 'copy', entity: 'database', actor: auditActor('') });

    // nothing due that SQLite sent: the preview and the send find nothing
    const preview = await runCli(['remind'], { db: to });
    expect(preview).toEqual(await runCli(['remind'], { db: src }));
    const again = await runCli(['remind', '--send'], { db: to, env: mailEnv() });
    expect(again.code, again.stderr).toBe(0);
    expect(smtp.messages).toEqual([]);
    // new rows get ids past the copied ones
    expect((await runCli(['managers', 'add', '--login', 'newbie', '--name', 'N', '--email', 'n@vendor.example'], { db: to })).code).toBe(0);
    expect((await runJson<AuditRow[]>(['audit'], { db: to })).at(-1)!.id).toBe(before.at(-1)!.id + 2);
    // the trigger is on again once the copy has committed: a row written past acctmgr claiming an actor gets the role
    await rawExec(
      to,
      `insert into audit_log (at, actor, action, entity, entity_key) values ('2026-11-25T10:00:00Z', 'anna-laptop', 'edit', 'manager', 'newbie')`,
    );
    expect((await runJson<AuditRow[]>(['audit'], { db: to })).at(-1)).toMatchObject({ actor: auditActor(''), key: 'newbie' });
    await expectDbClean(to);
    await removeDb(to);
  });

  itPostgres('refuses a target that is not empty, not migrated or older, naming why, and a password on the command line', async () => {
    const src = tempDbPath();
    expect((await runCli(['managers', 'add', '--login', 'anna', '--name', 'A', '--email', 'a@vendor.example'], { db: src })).code).toBe(0);
    const copy = (to: string) => runCli(['db', 'copy', '--to', to], { db: src });

    const used = await createPgDatabase();
    expect((await runCli(['managers', 'add', '--login', 'ben', '--name', 'B', '--email', 'b@vendor.example'], { db: used })).code).toBe(0);
    expect(await copy(used)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: the target database is not empty (table audit_log has rows); db copy writes only into an empty database\n' +
        'hint: create a new database (createdb), run acctmgr db migrate on it, and copy into that\n',
    });
    expect(await runJson<unknown[]>(['managers', 'list'], { db: used })).toHaveLength(1);

    const empty = await createPgDatabase('empty');
    expect(await copy(empty)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`the database ${empty} has no acctmgr schema yet`),
    });
    const older = await dbMigratedTo('0004_notices');
    await older.close();
    expect(await copy(older.path)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is older than this acctmgr (pending: 0005_keys, 0006_row_batches'),
    });

    // a value SQLite let in and PostgreSQL refuses: exit 1 naming the table, nothing copied
    await rawExec(src, `insert into account_groups (name, name_key, created_at) values ('G', 'g', 'x')`);
    await rawExec(
      src,
      `insert into accounts (external_id, external_id_key, name, type, student_count, group_id, created_at, updated_at) values ('A-1', 'a-1', 'A', 'school', 'many', 1, 'x', 'x')`,
    );
    const fresh = await createPgDatabase();
    const bad = await copy(fresh);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^error: db copy: table accounts: invalid input syntax for type bigint: "many"; nothing was copied\n/);
    expect(await runJson<unknown[]>(['managers', 'list'], { db: fresh })).toEqual([]);
    expect(await runJson<unknown[]>(['audit'], { db: fresh })).toEqual([]);

    const withPassword = used.replace('://root@', '://root:hunter22@');
    const pw = await copy(withPassword);
    expect(pw.code).toBe(2);
    expect(pw.stderr).toContain('--to: a password in the URL on the command line is refused');
    expect(pw.stderr).not.toContain('hunter22');
    expect((await copy('mysql://root@127.0.0.1/x')).code).toBe(2);
    const fromPg = await runCli(['db', 'copy', '--to', used], { db: used });
    expect(fromPg).toMatchObject({ code: 1, stderr: expect.stringContaining('is PostgreSQL already') });
    for (const d of [used, empty, older.path, fresh]) await removeDb(d);
  });

  itPostgres(
    'the VACUUM after the commit says on stderr which tables it skipped: neither they nor the database belong to the role',
    async () => {
      const src = tempDbPath();
      expect((await runCli(['managers', 'add', '--login', 'anna', '--name', 'A', '--email', 'a@vendor.example'], { db: src })).code).toBe(
        0,
      );
      const to = await createPgDatabase();
      // a role that owns audit_log (so it may turn its trigger off) and may write every other table, owned by
      // the server's superuser like the database itself
      const copier = `t_copier_${process.pid}_${Date.now()}`;
      await rawExec(
        to,
        `create role ${copier} login`,
        `grant select, insert, update on all tables in schema public to ${copier}`,
        `grant usage, select, update on all sequences in schema public to ${copier}`,
        `alter table audit_log owner to ${copier}`,
      );
      const as = new URL(to);
      as.username = copier;
      try {
        const copy = await runCli(['db', 'copy', '--to', as.toString()], { db: src });
        expect(copy.code, copy.stderr).toBe(0);
        expect(copy.stderr).toContain(
          'warning: db copy: VACUUM (ANALYZE) after the copy: skipping "managers" --- only table or database owner can vacuum it\n',
        );
        expect(copy.stderr).not.toContain('skipping "audit_log"');
        expect(copy.stderr).toMatch(/\ncopied 2 row\(s\) in \d+ tables into /);
        expect(await runJson<unknown[]>(['managers', 'list'], { db: to })).toHaveLength(1);
      } finally {
        const admin = new pg.Client({ connectionString: PG_BASE_URL });
        await admin.connect();
        try {
          await admin.query(`drop database if exists "${nameOf(to)}" with (force)`);
          await admin.query(`drop role if exists ${copier}`);
        } finally {
          await admin.end();
        }
      }
    },
  );
});
