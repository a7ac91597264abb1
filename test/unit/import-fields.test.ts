import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

const FILE = 'login,name,email\nok1,A,a@v.example\nshort,B\nlong,C,c@v.example,surplus\npadded,D,d@v.example,, \n';

describe("import: every row has the header's number of fields (RFC 4180)", () => {
  it('refuses a row with fewer fields, or more that are not all empty, as FILE:LINE: expected N fields, got M', async () => {
    const before = await imp.snapshot();
    const out = await imp.run('managers', FILE);
    const file = `${imp.dir}/managers.csv`;
    expect(out.failed).toBe(true);
    expect(out.errors).toEqual([`${file}:3: expected 3 fields, got 2`, `${file}:4: expected 3 fields, got 4`]);
    expect(await imp.snapshot()).toEqual(before);
  });

  it('--skip-invalid imports the others (empty extra fields are fine) and writes the rejects with the error under its header', async () => {
    const rejects = `${imp.dir}/rejects.csv`;
    const out = await imp.run('managers', FILE, { skipInvalid: true, rejects });
    expect(out.summary).toMatchObject({ inserted: 2, rejected: 2 });
    const logins = (await t.db.selectFrom('managers').select('login').orderBy('login').execute()).map((r) => r.login);
    expect(logins).toEqual(['ok1', 'padded']);
    expect(fs.readFileSync(rejects, 'utf8')).toBe(
      'login,name,email,error\nshort,B,,"expected 3 fields, got 2"\nlong,C,c@v.example,"expected 3 fields, got 4",surplus\n',
    );
  });
});

describe('import: dates', () => {
  it('a cell outside 1900-01-01..9999-12-31, or an end date derived past it, is a row error naming the column', async () => {
    await t.seed.standardSet(testOp());
    const head = 'external_id,account_external_id,plan,students,term_months,start_date\n';
    const out = await imp.run(
      'subscriptions',
      `${head}S1,SCH-1,BIO-BASIC,10,12,9999-06-01\nS2,SCH-1,BIO-BASIC,10,12,0000-01-01\nS3,SCH-1,BIO-BASIC,10,12,9999-01-01\n`,
    );
    const file = `${imp.dir}/subscriptions.csv`;
    expect(out.errors).toEqual([
      `${file}:2: start_date: "9999-06-01": the end date would be after 9999-12-31`,
      `${file}:3: start_date: "0000-01-01": must be between 1900-01-01 and 9999-12-31`,
    ]);
    const ok = await imp.run('subscriptions', `${head}S3,SCH-1,BIO-BASIC,10,12,9999-01-01\n`);
    expect(ok.failed).toBe(false);
    const row = await t.db.selectFrom('subscriptions').select('end_date').where('external_id', '=', 'S3').executeTakeFirstOrThrow();
    expect(row.end_date).toBe('9999-12-31');
  });
});
