import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportFileError } from '../../src/import/errors.js';
import { eachTestDb } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

describe('import: the files it reads and writes', () => {
  it('an import that fails halfway leaves no rejects file and no temporary file', async () => {
    const dir = path.join(imp.dir, 'sheets');
    const rejects = path.join(imp.dir, 'rejected');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'accounts.csv'), 'external_id,name,type\nA1,One,school\nA2,Two,wizard\n');
    fs.writeFileSync(path.join(dir, 'contacts.csv'), 'account_external_id,name,email\nA1,"Ann,ann@a1.example\n');
    const before = await imp.snapshot();
    await expect(imp.run('all', dir, { skipInvalid: true, rejects })).rejects.toBeInstanceOf(ImportFileError);
    expect(fs.readdirSync(rejects)).toEqual([]);
    expect(fs.readdirSync(imp.dir).sort()).toEqual(['rejected', 'sheets']);
    expect(await imp.snapshot()).toEqual(before);
  });

  it('an import refused for invalid rows, or a dry run, writes no rejects file and leaves one already there as it was', async () => {
    const file = 'name\nGood Group\nBad\u0001Group\n';
    const rejects = path.join(imp.dir, 'rejects.csv');
    for (const over of [{}, { skipInvalid: true, dryRun: true }, { dryRun: true }]) {
      const before = await imp.snapshot();
      const out = await imp.run('groups', file, { ...over, rejects });
      expect(out.errors, JSON.stringify(over)).toHaveLength(1);
      expect(fs.existsSync(rejects), JSON.stringify(over)).toBe(false);
      fs.writeFileSync(rejects, 'my notes - keep\n');
      await imp.run('groups', file, { ...over, rejects });
      expect(fs.readFileSync(rejects, 'utf8'), JSON.stringify(over)).toBe('my notes - keep\n');
      fs.rmSync(rejects);
      expect(fs.readdirSync(imp.dir).sort()).toEqual(['groups.csv']);
      expect(await imp.snapshot()).toEqual(before);
    }
    // the import that takes the valid rows writes them
    const out = await imp.run('groups', file, { skipInvalid: true, rejects });
    expect(out.summary).toMatchObject({ inserted: 1, rejected: 1 });
    expect(fs.readFileSync(rejects, 'utf8')).toMatch(/^name,error\nBad\u0001Group,"name: /);
  });

  it('refuses a file that changed while it was read (size, or only its modification time), writing nothing', async () => {
    await imp.run('products', 'code,name\nBIO,Biology\n');
    const before = await imp.snapshot();
    const file = path.join(imp.dir, 'products.csv');
    const changes: [string, () => void][] = [
      ['appended to', () => fs.appendFileSync(file, 'LATE,Late row\n')],
      ['touched', () => fs.utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'))],
    ];
    for (const [what, change] of changes) {
      let changed = false;
      const onProgress = () => {
        if (!changed) change();
        changed = true;
      };
      const run = imp.run('products', 'code,name\nMATH,Maths\nCHEM,Chemistry\n', { onProgress });
      await expect(run, what).rejects.toThrow(
        `${file}: the file changed while it was read (its size, modification time or identity differ at the end); nothing was imported`,
      );
      expect(changed).toBe(true);
      expect(await imp.snapshot()).toEqual(before);
    }
  });
});
