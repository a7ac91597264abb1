/**
 * Upgrading a database made before the key columns (migrations 0001–0004 with the rows the lower()
 * indexes let in): every command exits 1 listing the records and the repair command, changing nothing;
 * `db repair-keys` lists and renames them without migrating; then the upgrade applies. And `db check`
 * finds a stored key that is out of step with its key.
 */
import fs from 'node:fs';
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { dbMigratedTo, newDbLocation, removeDb } from '../helpers/db.js';
import { onPostgres } from '../helpers/engine.js';
import { rawExec, snapshotTables } from '../helpers/raw.js';

const NOW = '2026-01-01T00:00:00Z';

const given = dbFiles();

/** A database as acctmgr 0004 left it (on PostgreSQL not one of `given`'s: those are migrated already). */
async function databaseBefore0005(): Promise<string> {
  const h = await dbMigratedTo('0004_notices', onPostgres ? undefined : given.fresh());
  for (const [id, name] of [
    ['УЧ-001', 'Училище 1'],
    ['уч-001', 'Училище 1 (второ)'],
    ['SCH-2', 'Tab\tschool'],
  ])
    await sql`insert into accounts (external_id, name, type, status, created_at, updated_at) values (${id}, ${name}, 'school', 'active', ${NOW}, ${NOW})`.execute(
      h.db,
    );
  for (const email of ['οδος@school.gr', 'οδοσ@school.gr'])
    await sql`insert into contacts (account_id, email, role, status, created_at, updated_at) values (3, ${email}, 'teacher', 'active', ${NOW}, ${NOW})`.execute(
      h.db,
    );
  await sql`insert into account_groups (name, created_at) values (${'Sofia\u200b'}, ${NOW})`.execute(h.db);
  await h.close();
  return h.path;
}

/** Everything a refused upgrade must leave as it was: on SQLite the files' bytes, on PostgreSQL the rows and the migrations. */
async function unchanged(db: string): Promise<string> {
  if (onPostgres) return snapshotTables(db, ['accounts', 'contacts', 'account_groups', 'kysely_migration']);
  return JSON.stringify(['', '-wal', '-shm'].map((x) => (fs.existsSync(db + x) ? fs.readFileSync(db + x).toString('base64') : null)));
}

describe('acctmgr db repair-keys (end to end)', () => {
  it('a refused upgrade lists the records; repair-keys renames them without migrating; then the upgrade applies', async () => {
    const db = await databaseBefore0005();
    const before = await unchanged(db);
    // SQLite upgrades on the first command; PostgreSQL only through db migrate (other commands refuse an older schema)
    const refused = await runCli(onPostgres ? ['db', 'migrate'] : ['accounts', 'list'], { db });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('cannot be upgraded (nothing was changed)');
    expect(refused.stderr).toContain('accounts #1: external_id "УЧ-001": is the same key as "уч-001" (#2)');
    expect(refused.stderr).toContain('contacts #2 of account SCH-2: email "οδοσ@school.gr": is the same key as "οδος@school.gr" (#1)');
    expect(refused.stderr).toContain('groups #1: name "Sofia\\u200b": must not contain control characters');
    expect(refused.stderr).toContain('hint: rename them with: acctmgr db repair-keys --rename ENTITY OLD NEW');
    expect(refused.stderr).not.toContain('Tab'); // a name is no key: the upgrade does not look at it
    expect(await unchanged(db)).toBe(before);

    const listed = await runJson<{ entity: string; id: number; account: string | null; key: string }[]>(['db', 'repair-keys'], { db });
    expect(listed.map((p) => [p.entity, p.id, p.account, p.key])).toEqual([
      ['groups', 1, null, 'Sofia\u200b'],
      ['accounts', 1, null, 'УЧ-001'],
      ['accounts', 2, null, 'уч-001'],
      ['contacts', 1, 'SCH-2', 'οδος@school.gr'],
      ['contacts', 2, 'SCH-2', 'οδοσ@school.gr'],
    ]);
    const table = await runCli(['db', 'repair-keys'], { db });
    expect(table.stdout).toContain('Sofia\\u200b');
    expect(table.stderr).toContain('5 key problem(s); rename them with');
    expect(await unchanged(db)).toBe(before);

    // db check on the older schema: no key columns yet, so none out of step
    const check = await runCli(['db', 'check'], { db });
    expect(check).toMatchObject({
      code: 0,
      stdout:
        'integrity: ok\nforeign key violations: 0\nstored keys out of step: 0\nseats whose last_login_at is behind their login events: 0\n' +
        'keys held by more than one row: 0\nseats whose contact is of another account: 0\n',
    });

    const rename = (...args: string[]) => runCli(['db', 'repair-keys', '--rename', ...args], { db });
    const bad = await rename('accounts', 'уч-001');
    expect(bad.code).toBe(2);
    expect((await rename('accounts', 'уч-001', 'УЧ-001')).stderr).toContain('is the same key as account #1 "УЧ-001"');
    const renamed = await rename('accounts', 'уч-001', 'УЧ-002');
    expect(renamed).toMatchObject({ code: 0, stdout: 'УЧ-002\n' });
    expect(renamed.stderr).toContain('renamed accounts #2: external_id "уч-001" → "УЧ-002"');
    expect(renamed.stderr).toContain('3 key problem(s) left');
    expect(
      (await runCli(['db', 'repair-keys', '--rename', 'contacts', 'οδοσ@school.gr', 'odos@school.gr', '--account', 'sch-2'], { db }))
        .stdout,
    ).toBe('SCH-2/odos@school.gr\n');
    const last = await rename('groups', '#1', 'Sofia');
    // on PostgreSQL only db migrate migrates: no other command would
    expect(last.stderr).toContain(
      onPostgres
        ? 'no key problems left: upgrade with acctmgr db migrate (on PostgreSQL only it migrates)'
        : 'no key problems left: the upgrade applies on the next command (or now: acctmgr db migrate)',
    );
    const pending = (await runJson<{ name: string; applied: boolean }[]>(['db', 'status'], { db })).filter((m) => !m.applied);
    expect(pending.map((m) => m.name).slice(0, 2)).toEqual(['0005_keys', '0006_row_batches']);
    if (onPostgres) expect((await runCli(['db', 'migrate'], { db })).code).toBe(0);

    const accounts = await runJson<{ external_id: string }[]>(['accounts', 'list'], { db });
    expect(accounts.map((a) => a.external_id)).toEqual(['SCH-2', 'УЧ-001', 'УЧ-002']);
    expect(await runJson(['accounts', 'show', 'уч-002'], { db })).toMatchObject({ name: 'Училище 1 (второ)' });
    expect(await runJson(['contacts', 'show', 'ΟΔΟΣ@school.gr'], { db })).toMatchObject({ email: 'οδος@school.gr' });
    const audit = await runJson<{ action: string; entity: string; key: string }[]>(['audit', '--since', '2026-01-01'], { db });
    expect(audit.filter((a) => a.action === 'repair-key').map((a) => `${a.entity} ${a.key}`)).toEqual([
      'account УЧ-002',
      'contact SCH-2/odos@school.gr',
      'group Sofia',
    ]);
    expect((await runCli(['db', 'check'], { db })).code).toBe(0);
    expect((await runCli(['db', 'repair-keys'], { db })).stderr).toBe('(none)\nno key problems\n');
    if (onPostgres) await removeDb(db);
  });

  it('db check reports a stored key out of step with its key', async () => {
    const db = await newDbLocation(); // not given: this test leaves it damaged on purpose
    expect((await runCli(['accounts', 'add', '--external-id', 'УЧ-1', '--name', 'X', '--type', 'school'], { db })).code).toBe(0);
    await rawExec(db, `update accounts set external_id_key = 'УЧ-1'`);
    const r = await runCli(['db', 'check'], { db });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('stored keys out of step: 1\n  accounts row 1: external_id_key is not the fold of its key');
    const report = await runCli(['db', 'check', '--json'], { db });
    expect(report.code).toBe(1);
    expect(JSON.parse(report.stdout)).toMatchObject({
      ok: false,
      key_mismatches: [{ table: 'accounts', id: 1, column: 'external_id_key' }],
    });
    await removeDb(db);
  });
});
