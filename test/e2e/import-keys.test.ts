/**
 * A realistic Bulgarian data set (test/fixtures-import/bg: Cyrillic groups, external ids and emails,
 * capitalised differently from file to file) through `import all`, then again with every key cell in
 * the other case: each entity's keys are found, never duplicated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { dbFiles, ROOT, runCli, runJson, spawnCli } from '../helpers/cli.js';
import { cloneDb, openTestDb, removeDb, tempDir } from '../helpers/db.js';

const BG = path.join(ROOT, 'test/fixtures-import/bg');
const KEY_COLUMNS = [
  'login',
  'email',
  'external_id',
  'account_external_id',
  'group',
  'parent_external_id',
  'manager_login',
  'code',
  'product',
  'plan',
  'subscription_external_id',
  'renewed_from_external_id',
];

/** Every key cell in the other case (the groups file's name is its key). */
function swapKeys(file: string): string {
  const rows = parse(fs.readFileSync(file, 'utf8'), { bom: true }) as string[][];
  const header = rows[0]!;
  const keys = header.map((h) => KEY_COLUMNS.includes(h) || (path.basename(file) === 'groups.csv' && h === 'name'));
  const swap = (s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  return stringify([header, ...rows.slice(1).map((r) => r.map((cell, i) => (keys[i] ? swap(cell) : cell)))]);
}

const given = dbFiles();

describe('import all of a Bulgarian data set', () => {
  it('loads it, and loads it again with the keys in the other case as unchanged', async () => {
    const db = given.fresh();
    const first = await runJson<{ inserted: number; rejected: number; entities: Record<string, { inserted: number }> }>(
      ['import', 'all', BG],
      { db },
    );
    expect(first).toMatchObject({ inserted: 31, rejected: 0 });
    expect(first.entities).toMatchObject({
      groups: { inserted: 2 },
      accounts: { inserted: 5 },
      contacts: { inserted: 6 },
      subscriptions: { inserted: 4 },
      seats: { inserted: 3 },
      logins: { inserted: 3 },
    });

    const groups = await runJson<{ name: string; account_count: number }[]>(['groups', 'list'], { db });
    expect(groups).toEqual([
      { name: 'Община Пловдив', account_count: 2 },
      { name: 'Столична община', account_count: 2 },
    ]);
    const accounts = await runJson<
      { external_id: string; group: string | null; parent_external_id: string | null; manager_login: string | null }[]
    >(['accounts', 'list'], { db });
    expect(accounts.map((a) => [a.external_id, a.group, a.parent_external_id, a.manager_login])).toEqual([
      ['ПУ-001', 'Община Пловдив', null, 'ivanova'],
      ['пу-001-Ф', 'Община Пловдив', 'ПУ-001', 'ivanova'],
      ['СО-017', 'Столична община', null, 'petrov'],
      ['СО-017-Д', 'Столична община', 'СО-017', 'petrov'],
      ['ЧУ-АНА', null, null, null],
    ]);
    const renewal = await runJson<{
      renewed_from_external_id: string;
      account_external_id: string;
      seats: { email: string; last_login_at: string | null }[];
    }>(['subscriptions', 'show', 'аб-2026-001'], { db });
    expect(renewal).toMatchObject({ renewed_from_external_id: 'аб-2025-001', account_external_id: 'ПУ-001' });
    expect(renewal.seats.map((s) => [s.email, s.last_login_at])).toEqual([
      ['мария@вазов.bg', '2026-09-15T07:30:00Z'],
      ['петър@вазов.bg', null],
    ]);
    expect(await runJson(['contacts', 'show', 'ана@учител.BG', '--account', 'чу-ана'], { db })).toMatchObject({
      account_external_id: 'ЧУ-АНА',
      is_primary: true,
    });
    expect(await runJson(['managers', 'show', 'IVANOVA'], { db })).toMatchObject({ email: 'мария.иванова@издателство.bg' });

    const dir = tempDir();
    for (const f of fs.readdirSync(BG)) fs.writeFileSync(path.join(dir, f), swapKeys(path.join(BG, f)));
    expect(fs.readFileSync(path.join(dir, 'contacts.csv'), 'utf8')).toContain('пу-001,Петър Петров,ПЕТЪР@ВАЗОВ.BG');
    const again = await runJson<Record<string, unknown>>(['import', 'all', dir], { db });
    expect(again).toMatchObject({ batch_id: null, inserted: 0, updated: 0, unchanged: 31, rejected: 0 });
    expect((await runCli(['db', 'check'], { db })).code).toBe(0);
    const h = await openTestDb(db);
    expect(await h.db.selectFrom('account_groups').select('id').execute()).toHaveLength(2);
    await h.close();
  });
});

describe('a large contacts file with Cyrillic account ids and Greek emails', () => {
  // a process for the reader thread (the built worker); the one-thread run is in-process
  it('finds accounts and duplicate emails by their folds in the reader thread and the bulk key check, as on one thread', async () => {
    const dir = tempDir();
    const db = given.fresh();
    const accounts = Array.from({ length: 200 }, (_, i) => `УЧ-${i},Училище ${i},school`).join('\n');
    fs.writeFileSync(path.join(dir, 'accounts.csv'), `external_id,name,type\n${accounts}\n`);
    expect((await runCli(['import', 'accounts', path.join(dir, 'accounts.csv')], { db })).code).toBe(0);
    const lines = ['account_external_id,name,email,role'];
    for (let i = 0; i < 30_000; i++) {
      const a = i % 200;
      // the account as stored, lower-cased or mixed; Greek emails with a final sigma, some in capitals
      const account = i % 3 === 0 ? `УЧ-${a}` : i % 3 === 1 ? `уч-${a}` : `Уч-${a}`;
      const email = i % 5 === 0 ? `ΔΆΣΚΑΛΟΣ${i}@ΣΧΟΛΕΊΟ${a}.GR` : `δάσκαλος${i}@σχολείο${a}.gr`;
      lines.push(`${account},Δάσκαλος ${i},${email},teacher`);
    }
    // the same contacts again, spelt otherwise: σ for ς, another case, the account in capitals
    lines.push('УЧ-7,Again,δάσκαλοσ7@σχολείο7.gr,teacher', 'уч-10,Again,ΔΆΣΚΑΛΟΣ10@ΣΧΟΛΕΊΟ10.GR,teacher');
    const file = path.join(dir, 'contacts.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(2 << 20);
    const outcome = async (env: NodeJS.ProcessEnv) => {
      const copy = await cloneDb(db);
      const r = await (env.ACCTMGR_IMPORT_THREADS === '1' ? runCli : spawnCli)(['import', 'contacts', file, '--skip-invalid', '--debug'], {
        db: copy,
        env,
        timeoutMs: 180_000, // a round trip per row on PostgreSQL
      });
      const h = await openTestDb(copy);
      const rows = await h.db.selectFrom('contacts').select(['account_id', 'email', 'email_key']).orderBy('id').execute();
      await h.close();
      expect((await runCli(['db', 'check'], { db: copy })).code).toBe(0);
      await removeDb(copy);
      return { r, rows, errors: r.stderr.split('\n').filter((l) => l.startsWith(file)) };
    };
    const threaded = await outcome({});
    const single = await outcome({ ACCTMGR_IMPORT_THREADS: '1' });
    expect(threaded.r.stderr).toContain('rows read and prepared in a reader thread');
    expect(threaded.errors).toEqual([
      `${file}:30002: email: "δάσκαλοσ7@σχολείο7.gr": duplicates line 9 (same account_external_id + email)`,
      `${file}:30003: email: "ΔΆΣΚΑΛΟΣ10@ΣΧΟΛΕΊΟ10.GR": duplicates line 12 (same account_external_id + email)`,
    ]);
    expect(single.errors).toEqual(threaded.errors);
    expect(threaded.rows).toEqual(single.rows);
    expect(threaded.rows).toHaveLength(30_000);
    expect(threaded.rows[0]).toEqual({ account_id: 1, email: 'δάσκαλος0@σχολείο0.gr', email_key: 'δάσκαλοσ0@σχολείο0.gr' });
  }, 240_000);
});
