/**
 * docs/team.md's roles and grants, run as written on the test server: an owner that migrates, and people
 * and cron in one group role; then a command as each, and the audit log's actor is the role that ran it
 * (the server's current_user), with --actor beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { ROOT, runCli, runJson } from '../helpers/cli.js';
import { itPostgres } from '../helpers/engine.js';
import { tempDbPath } from '../helpers/db.js';
import { PG_BASE_URL } from '../helpers/pg.js';
import { rawExec } from '../helpers/raw.js';

/** The ```sql blocks of docs/team.md, psql's meta-commands and comments left out. */
function docSql(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs/team.md'), 'utf8');
  return [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) =>
    m[1]!
      .split('\n')
      .filter((l) => !l.startsWith('\\') && !l.startsWith('--'))
      .join('\n'),
  );
}

interface AuditRow {
  actor: string;
  on_behalf_of: string | null;
  action: string;
}

function urlAs(user: string, database: string): string {
  const u = new URL(PG_BASE_URL);
  u.username = user;
  u.password = '';
  u.pathname = `/${database}`;
  return u.toString();
}

async function asRole(url: string, statements: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statements);
  } finally {
    await client.end();
  }
}

/**
 * docs/team.md's roles, database and grants under names of this test's own (the run's pid and time): set up
 * as the page says — roles, the owner's db migrate, the grants — and dropped after.
 */
function docTeam() {
  const n = `${process.pid}_${Date.now()}`;
  const names: [RegExp, string][] = [
    [/\bacctmgr_owner\b/g, `t_owner_${n}`],
    [/\bacctmgr_team\b/g, `t_team_${n}`],
    [/\bmaria\b/g, `t_maria_${n}`],
    [/\bivan\b/g, `t_ivan_${n}`],
    [/\bcron\b/g, `t_cron_${n}`],
    [/\bDATABASE acctmgr\b/g, `DATABASE t_db_${n}`],
  ];
  const ours = (sql: string) => names.reduce((s, [re, to]) => s.replace(re, to), sql);
  const [roles, grants] = docSql().map(ours);
  expect(grants).toContain('ALTER DEFAULT PRIVILEGES');
  const db = `t_db_${n}`;
  const as = (who: string) => urlAs(`t_${who}_${n}`, db);
  return {
    /** this test's role for `who` (owner, team, maria, ivan, cron) */
    role: (who: string) => `t_${who}_${n}`,
    /** the URL of the team's database as that role */
    as,
    async setUp(): Promise<void> {
      // one statement at a time: CREATE DATABASE cannot run inside the implicit transaction of a batch
      for (const statement of roles!.split(';').filter((s) => s.trim())) await asRole(PG_BASE_URL, statement);
      expect((await runCli(['db', 'migrate'], { db: as('owner') })).code).toBe(0);
      await asRole(as('owner'), grants!);
    },
    async tearDown(): Promise<void> {
      await asRole(PG_BASE_URL, `drop database if exists ${db} with (force)`);
      for (const who of ['maria', 'ivan', 'cron', 'team', 'owner']) await asRole(PG_BASE_URL, `drop role if exists t_${who}_${n}`);
    },
  };
}

describe('running acctmgr for a team (docs/team.md)', () => {
  itPostgres(
    'PostgreSQL: the documented roles and grants work, the audit actor is the role that ran the command, and a member imports a large file',
    async () => {
      const team = docTeam();
      const { as, role } = team;
      try {
        await team.setUp();

        const add = await runCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], {
          db: as('maria'),
        });
        expect(add.code, add.stderr).toBe(0);
        const edit = await runCli(['managers', 'edit', 'anna', '--mobile', '+48 600', '--actor', 'boss'], { db: as('cron') });
        expect(edit.code, edit.stderr).toBe(0);
        const audit = await runJson<AuditRow[]>(['audit'], { db: as('ivan') });
        expect(audit.map((r) => [r.actor, r.on_behalf_of, r.action])).toEqual([
          [role('maria'), null, 'add'],
          [role('cron'), 'boss', 'edit'],
        ]);
        // past acctmgr, in psql: a member's INSERT claiming another role's name records the member (the
        // server's trigger), and no member can rewrite or remove an audit row
        await asRole(
          as('maria'),
          `insert into audit_log (at, actor, action, entity, entity_key) values ('2026-11-25T10:00:00Z', '${role('ivan')}', 'remove', 'manager', 'anna')`,
        );
        expect((await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).at(-1)).toMatchObject({
          actor: role('maria'),
          action: 'remove',
        });
        // nor under the team's group role: SET ROLE changes current_user, not the role that connected
        await asRole(
          as('maria'),
          `set role ${role('team')}; insert into audit_log (at, actor, action, entity, entity_key) values ('2026-11-25T10:01:00Z', '${role('ivan')}', 'restore', 'manager', 'anna')`,
        );
        expect((await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).at(-1)).toMatchObject({
          actor: role('maria'),
          action: 'restore',
        });
        for (const change of [`update audit_log set actor = '${role('ivan')}' where action = 'remove'`, 'delete from audit_log'])
          expect(String(await asRole(as('maria'), change).catch((e: Error) => e))).toMatch(/permission denied for table audit_log/);
        expect(await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).toHaveLength(4);
        // the team reads and writes rows, but does not migrate or create tables
        const create = await asRole(as('maria'), 'create table intruder (x int)').catch((e: Error) => e);
        expect(String(create)).toMatch(/permission denied/);
        const bookkeeping = await asRole(as('maria'), "delete from kysely_migration where name = '0007_on_behalf_of'").catch(
          (e: Error) => e,
        );
        expect(String(bookkeeping)).toMatch(/permission denied/);
        // a large file as a team member: COPY into contacts with its indexes and foreign keys in place (the
        // role cannot drop what it does not own), every rule still checked
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-team-'));
        const accounts = Array.from({ length: 50 }, (_, i) => `A${i},School ${i},school`).join('\n');
        fs.writeFileSync(path.join(dir, 'accounts.csv'), `external_id,name,type\n${accounts}\n`);
        expect((await runCli(['import', 'accounts', path.join(dir, 'accounts.csv')], { db: as('maria') })).code).toBe(0);
        const rows = Array.from(
          { length: 40_000 },
          (_, i) => `A${i % 50},Teacher Number ${i},teacher.number.${i}@school${i % 50}.example,teacher`,
        );
        const big = path.join(dir, 'contacts.csv');
        fs.writeFileSync(big, `account_external_id,name,email,role\n${rows.join('\n')}\nA7,Again,TEACHER.NUMBER.7@school7.example,\n`);
        expect(fs.statSync(big).size).toBeGreaterThan(2 << 20); // large enough for the bulk path
        const refused = await runCli(['import', 'contacts', big, '--debug'], { db: as('maria') });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(
          'debug: contacts: rows loaded with COPY FROM STDIN into the indexed table (the role does not own it)',
        );
        expect(refused.stderr).toContain(
          `${big}:40002: email: "TEACHER.NUMBER.7@school7.example": duplicates line 9 (same account_external_id + email)`,
        );
        const imported = await runCli(['import', 'contacts', big, '--skip-invalid'], { db: as('ivan') });
        expect(imported.stderr).toContain('40000 inserted, 0 updated, 0 unchanged, 1 rejected');
        // the member's import moved the id sequence past its rows (by drawing: it may not setval): the next contact fits
        await asRole(
          as('maria'),
          "insert into contacts (account_id, email, email_key, created_at, updated_at) select id, 'next@x.example', 'next@x.example', 'now', 'now' from accounts limit 1",
        );
        fs.rmSync(dir, { recursive: true, force: true });
        // undoing an import adds an audit row and touches no other (the team may not change old ones)
        const [batch] = await runJson<{ batch_id: number }[]>(['import', 'history'], { db: as('cron') });
        const undo = await runCli(['import', 'undo', String(batch!.batch_id), '--yes'], { db: as('maria') });
        expect(undo.code, undo.stderr).toBe(0);
        expect((await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).at(-1)).toMatchObject({ actor: role('maria'), action: 'undo' });
        expect((await runCli(['db', 'check'], { db: as('cron') })).code).toBe(0);
      } finally {
        await team.tearDown();
      }
    },
  );

  itPostgres('PostgreSQL: moving a team from SQLite, only the owner copies, and the copied audit rows keep their actors', async () => {
    const team = docTeam();
    const { as, role } = team;
    const src = tempDbPath();
    try {
      await team.setUp();
      const add = await runCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], { db: src });
      expect(add.code, add.stderr).toBe(0);
      await rawExec(src, `update audit_log set actor = 'anna-laptop'`); // the OS user who made it on SQLite

      // a member reads and writes rows, but may not turn the audit trigger off nor set the id sequences
      const member = await runCli(['db', 'copy', '--to', as('maria')], { db: src });
      expect(member).toMatchObject({ code: 1, stdout: '' });
      expect(member.stderr).toMatch(
        /^error: db copy must be run by the role that owns the database's tables \(the one that ran acctmgr db migrate\): must be owner of table audit_log; nothing was copied\nhint: run it again as that role/,
      );
      expect(member.stderr).not.toContain('correct the row');
      expect(await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).toEqual([]);

      const owner = await runCli(['db', 'copy', '--to', as('owner')], { db: src });
      expect(owner.code, owner.stderr).toBe(0);
      expect(owner.stderr).not.toContain('warning');
      const copied = await runJson<AuditRow[]>(['audit'], { db: as('ivan') });
      expect(copied.map((r) => [r.actor, r.action])).toEqual([
        ['anna-laptop', 'add'],
        [role('owner'), 'copy'],
      ]);
      // the team works on the copy with the grants it had: its changes audited under its own roles
      const edit = await runCli(['managers', 'edit', 'anna', '--mobile', '+48 600'], { db: as('maria') });
      expect(edit.code, edit.stderr).toBe(0);
      expect((await runJson<AuditRow[]>(['audit'], { db: as('ivan') })).at(-1)).toMatchObject({ actor: role('maria'), action: 'edit' });
    } finally {
      await team.tearDown();
    }
  });
});
