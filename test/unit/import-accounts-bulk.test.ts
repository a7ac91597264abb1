/**
 * A large accounts file is bulk-loaded (src/import/entities/accounts.ts: keys in memory, multi-row INSERTs on
 * SQLite, COPY on PostgreSQL, custom field values and later parents written after the rows): the same file
 * row by row (`bulk: false`) must give the same error lines, counts and stored data, on both databases.
 */
import { describe, expect, it } from 'vitest';
import { defineField } from '../../src/accounts/custom-fields.js';
import { copyStats } from '../../src/db/pg-copy.js';
import { BULK_MIN_BYTES } from '../../src/import/bulk/bulk-table.js';
import { undoBatch } from '../../src/import/undo.js';
import { onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer, sameRun } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

const ROWS = 24_000;
/** A large file under load: more than the default timeout. */
const LARGE_FILE_MS = 240_000;
const HEADER = 'external_id,name,type,parent_external_id,group,manager_login,student_count,crm_code\n';

/** Every kind of row the accounts importer treats apart, spread over a file just over the bulk threshold. */
function bigFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    let parent = '';
    if (i % 100 === 1) parent = `B${i - 1}`; // earlier in the file
    if (i % 100 === 2) parent = `b${i + 5}`; // later in the file, another spelling
    if (i === 3) parent = 'NOWHERE'; // nobody
    if (i === 10) parent = 'B11'; // B10 → B11 → B10: a loop
    if (i === 11) parent = 'B10';
    if (i === 12) parent = 'S1'; // stored before
    const group = i % 7 === 0 ? `Group ${i % 3}` : '';
    const manager = i === 20 ? 'ghost' : i % 5 === 0 ? 'anna' : '';
    const type = i === 25 ? 'tutor' : 'school';
    const crm = i % 2 === 0 ? `C-${i}` : '';
    lines.push(
      `B${i},"School number ${i} of the municipality of Sofia-Grad, Bulgaria",${type},${parent},${group},${manager},${i % 1500},${crm}`,
    );
  }
  lines.push('b5,Again,school,,,,,'); // the key of line 7 again
  lines.push('S1,Stored One Renamed,school,,,,10,C-S1-new'); // a stored account changed, with its custom field
  lines.push('S2,Stored Two,school,,,,20,C-S2'); // a stored account as it is
  const csv = `${HEADER}${lines.join('\n')}\n`;
  expect(Buffer.byteLength(csv)).toBeGreaterThan(BULK_MIN_BYTES);
  return csv;
}

/** What the import stored, with references by key (ids differ between the two runs). */
async function stored() {
  const accounts = await t.db
    .selectFrom('accounts as a')
    .leftJoin('accounts as p', 'p.id', 'a.parent_id')
    .leftJoin('account_groups as g', 'g.id', 'a.group_id')
    .leftJoin('managers as m', 'm.id', 'a.manager_id')
    .select([
      'a.external_id',
      'a.external_id_key',
      'a.name',
      'a.type',
      'a.status',
      'a.student_count',
      'a.locale',
      'p.external_id as parent',
      'g.name as group_name',
      'm.login as manager',
    ])
    .orderBy('a.external_id')
    .execute();
  const values = await t.db
    .selectFrom('account_field_values as v')
    .innerJoin('accounts as a', 'a.id', 'v.account_id')
    .innerJoin('custom_fields as f', 'f.id', 'v.field_id')
    .select(['a.external_id', 'f.name', 'v.value'])
    .orderBy('a.external_id')
    .orderBy('f.name')
    .execute();
  const groups = await t.db.selectFrom('account_groups').select('name').orderBy('name').execute();
  return { accounts, values, groups };
}

describe('import: a large accounts file', () => {
  it(
    'bulk-loaded gives the same errors, counts and rows as row by row',
    async () => {
      await defineField(t.db, testOp(), { name: 'crm_code', type: 'text' });
      const seeded = await imp.run('managers', 'login,name,email\nanna,Anna,anna@vendor.example\n');
      expect(seeded.failed).toBe(false);
      const seed = await imp.run('accounts', `${HEADER}S1,Stored One,school,,,,1,C-S1\nS2,Stored Two,school,,,,20,C-S2\n`);
      expect(seed.failed).toBe(false);
      const before = await stored();
      const csv = bigFile();

      const copied = { ...copyStats };
      const bulk = await imp.run('accounts', csv, { skipInvalid: true });
      // the bulk path ran: COPY on PostgreSQL, multi-row INSERTs on SQLite (--debug's note); twice, as
      // --skip-invalid runs the file again without the rows the end's checks refused
      if (onPostgres) expect(copyStats.rows - copied.rows).toBe(ROWS - 1 + ROWS - 6);
      expect(bulk.notes.some((n) => /^accounts: rows loaded (with COPY|in multi-row INSERTs)/.test(n))).toBe(true);
      const afterBulk = await stored();
      await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T09:00:00Z' }), bulk.summary.batch_id!);
      expect(await stored()).toEqual(before);

      const perRow = await imp.run('accounts', csv, { skipInvalid: true, bulk: false });
      expect(perRow.notes.some((n) => n.startsWith('accounts: rows loaded'))).toBe(false);
      expect(bulk.errors).toEqual(perRow.errors);
      expect(sameRun(bulk.summary)).toEqual(sameRun(perRow.summary));
      expect(afterBulk).toEqual(await stored());

      // and what the rows say, once
      const file = `${imp.dir}/accounts.csv`;
      expect(bulk.errors).toEqual([
        `${file}:5: parent_external_id: "NOWHERE": no account with this external_id (in the database or this file)`,
        `${file}:12: parent_external_id: "B11": would make a parent cycle: B10 → B11 → B10`,
        // B10 refused, B11's parent is nowhere (the file's second pass runs without the refused rows)
        `${file}:13: parent_external_id: "B10": no account with this external_id (in the database or this file)`,
        `${file}:22: manager_login: "ghost": no manager with this login (in the database or the managers imported with it)`,
        `${file}:27: manager_login: "anna": must be empty for a tutor account (a private tutor is both subscriber and user, with no manager)`,
        `${file}:${ROWS + 2}: external_id: "b5": duplicates line 7 (same external_id)`,
      ]);
      expect(bulk.summary.entities.accounts).toMatchObject({ inserted: ROWS - 5, updated: 1, unchanged: 1 });
      const byKey = new Map(afterBulk.accounts.map((a) => [a.external_id, a]));
      expect(byKey.get('B1')).toMatchObject({ parent: 'B0', group_name: null, manager: null });
      expect(byKey.get('B2')).toMatchObject({ parent: 'B7' });
      expect(byKey.get('B12')).toMatchObject({ parent: 'S1' });
      expect(byKey.get('B35')).toMatchObject({ group_name: 'Group 2', manager: 'anna' });
      expect(byKey.get('S1')).toMatchObject({ name: 'Stored One Renamed', student_count: 10 });
      const values = new Map(afterBulk.values.map((v) => [v.external_id, v.value]));
      expect([values.get('B0'), values.get('B1'), values.get('S1'), values.get('S2')]).toEqual(['C-0', undefined, 'C-S1-new', 'C-S2']);
      expect(afterBulk.groups.map((g) => g.name)).toEqual(['Group 0', 'Group 1', 'Group 2']);
    },
    LARGE_FILE_MS,
  );
});
