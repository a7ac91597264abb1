import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db.js';
import { Importer } from './import-helpers.js';

let t: TestDb;
let imp: Importer;
beforeEach(async () => {
  t = await freshDb();
  imp = new Importer(t);
});
afterEach(() => t.close());

const FILE = 'login,name,email\nok1,A,a@v.example\nshort,B\nlong,C,c@v.example,surplus\npadded,D,d@v.example,, \n';

describe('import: every row has the header\'s number of fields (RFC 4180)', () => {
  it('refuses a row with fewer fields, or more that are not all empty, as FILE:LINE: expected N fields, got M', async () => {
    const before = imp.snapshot();
    const out = await imp.run('managers', FILE);
    const file = `${imp.dir}/managers.csv`;
    expect(out.failed).toBe(true);
    expect(out.errors).toEqual([`${file}:3: expected 3 fields, got 2`, `${file}:4: expected 3 fields, got 4`]);
    expect(imp.snapshot()).toEqual(before);
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
