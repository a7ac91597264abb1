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
import { PG_BASE_URL } from '../helpers/pg.js';

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

describe('running acctmgr for a team (docs/team.md)', () => {
  itPostgres(
    'PostgreSQL: the documented roles and grants work, the audit actor is the role that ran the command, and a member imports a large file',
    async () => {
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
      try {
        // one statement at a time: CREATE DATABASE cannot run inside the implicit transaction of a batch
        for (const statement of roles!.split(';').filter((s) => s.trim())) await asRole(PG_BASE_URL, statement);
        expect((await runCli(['db', 'migrate'], { db: as('owner') })).code).toBe(0);
        await asRole(as('owner'), grants!);

        const add = await runCli(['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'], {
          db: as('maria'),
        });
        expect(add.code, add.stderr).toBe(0);
        const edit = await runCli(['managers', 'edit', 'anna', '--mobile', '+48 600', '--actor', 'boss'], { db: as('cron') });
        expect(edit.code, edit.stderr).toBe(0);
        const audit = await runJson<{ actor: string; on_behalf_of: string | null; action: string }[]>(['audit'], { db: as('ivan') });
        expect(audit.map((r) => [r.actor, r.on_behalf_of, r.action])).toEqual([
          [`t_maria_${n}`, null, 'add'],
          [`t_cron_${n}`, 'boss', 'edit'],
        ]);
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
        expect((await runCli(['db', 'check'], { db: as('cron') })).code).toBe(0);
      } finally {
        await asRole(PG_BASE_URL, `drop database if exists ${db} with (force)`);
        for (const who of ['maria', 'ivan', 'cron', 'team', 'owner']) await asRole(PG_BASE_URL, `drop role if exists t_${who}_${n}`);
      }
    },
  );
});
