import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportFileError } from '../../src/import/errors.js';
import { freshDb, type TestDb } from '../helpers/db.js';
import { Importer } from './import-helpers.js';

let t: TestDb;
let imp: Importer;
beforeEach(async () => {
  t = await freshDb();
  imp = new Importer(t);
});
afterEach(() => t.close());

describe('import: the files it reads and writes', () => {
  it('an import that fails halfway leaves no rejects file and no temporary file', async () => {
    const dir = path.join(imp.dir, 'sheets');
    const rejects = path.join(imp.dir, 'rejected');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'accounts.csv'), 'external_id,name,type\nA1,One,school\nA2,Two,wizard\n');
    fs.writeFileSync(path.join(dir, 'contacts.csv'), 'account_external_id,name,email\nA1,"Ann,ann@a1.example\n');
    const before = imp.snapshot();
    await expect(imp.run('all', dir, { skipInvalid: true, rejects })).rejects.toBeInstanceOf(ImportFileError);
    expect(fs.readdirSync(rejects)).toEqual([]);
    expect(fs.readdirSync(imp.dir).sort()).toEqual(['rejected', 'sheets']);
    expect(imp.snapshot()).toEqual(before);
  });
});
