import fs from 'node:fs';
import path from 'node:path';
import { foldKey } from '../../src/lib/keys.js';
import { describe, expect, it } from 'vitest';
import { checkDatabase } from '../../src/db/maintenance.js';
import { exportEntity } from '../../src/export/service.js';
import { cleanCell } from '../../src/import/cells.js';
import { RecordParser } from '../../src/import/csv-reader.js';
import { renderList } from '../../src/output/render.js';
import { eachTestDbs, tempDir, type TestDb } from '../helpers/db.js';
import { Importer } from '../helpers/import.js';

const db = eachTestDbs();

/** Values a spreadsheet would run as formulas, the same behind quotes, and ordinary ones starting with '. */
const STORED = ['=x', "'=x", "''=x", '+1', '-1', '@a', "'abc", "''abc", "'", "it's", 'a=b'];
/** A tab or CR after the quotes: fine in CSV, though no one-line field (a name) may hold it. */
const WITH_CONTROLS = ["'\tx", "'\rx", '\tx', '\rx'];

function parse(csv: string): string[][] {
  return new RecordParser('t.csv', 1 << 20, ',').push(csv, true).map((r) => r.cells);
}

async function exportProducts(t: TestDb): Promise<string> {
  let out = '';
  await exportEntity(t.handle, 'products', 'csv', (c) => (out += c));
  return out;
}

async function storedNames(t: TestDb): Promise<string[]> {
  return (await t.db.selectFrom('products').select('name').orderBy('code').execute()).map((r) => r.name);
}

describe('formula-looking values round-trip exactly through CSV', () => {
  it("a --format csv list adds one quote to ^'*[=+-@ tab CR], import removes one: every value comes back, a leading tab and CR too", () => {
    const values = [...STORED, ...WITH_CONTROLS];
    const csv = renderList(
      values.map((v) => ({ v })),
      'csv',
      { color: false, terminal: false },
    );
    expect(csv.split('\n').slice(1, 4)).toEqual([`"'=x"`, `"''=x"`, `"'''=x"`]);
    expect(
      parse(csv)
        .slice(1)
        .map((r) => cleanCell(r[0]!)),
    ).toEqual(values);
  });

  it('export → import into an empty database stores exactly the values exported', async () => {
    const a = await db();
    for (const [i, name] of STORED.entries()) {
      const code = `P${String(i).padStart(2, '0')}`;
      await a.db
        .insertInto('products')
        .values({ code, code_key: foldKey(code), name, created_at: 'x', updated_at: 'x' })
        .execute();
    }
    const csv = await exportProducts(a);
    expect(csv).toContain(`P01,"''=x"\n`);
    expect(csv).toContain(`P06,'abc\n`);
    const b = await db();
    const out = await new Importer(b).run('products', csv);
    expect(out.errors).toEqual([]);
    expect(await storedNames(b)).toEqual(STORED);
    expect(await exportProducts(b)).toBe(csv);
    expect((await checkDatabase(b.handle)).ok).toBe(true);
  });

  it("a ;-joined list is protected as one cell: a plan's modules export and import back exactly", async () => {
    const a = await db();
    const lists = [
      ['=HYPERLINK(1)', 'b'],
      ["'=a", '+b'],
      ['a', '=b'],
    ];
    const pid = (
      await a.db
        .insertInto('products')
        .values({ code: 'P', code_key: 'p', name: 'P', created_at: 'x', updated_at: 'x' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const [i, modules] of lists.entries())
      await a.db
        .insertInto('plans')
        .values({
          code: `Q${i}`,
          code_key: `q${i}`,
          name: 'Q',
          product_id: pid,
          currency: 'EUR',
          modules: modules.join(';'),
          legacy: 0,
          created_at: 'x',
          updated_at: 'x',
        } as never)
        .execute();
    let csv = '';
    await exportEntity(a.handle, 'plans', 'csv', (c) => (csv += c));
    expect(csv).toContain(`Q0,Q,P,EUR,"'=HYPERLINK(1);b",`);
    expect(csv).toContain(`Q1,Q,P,EUR,"''=a;+b",`);
    expect(csv).toContain(`Q2,Q,P,EUR,a;=b,`);
    expect(renderList([{ modules: lists[0] }], 'csv', { color: false, terminal: false })).toBe(`modules\n"'=HYPERLINK(1);b"\n`);
    const b = await db();
    expect((await new Importer(b).run('products', 'code,name\nP,P\n')).errors).toEqual([]);
    expect((await new Importer(b).run('plans', csv)).errors).toEqual([]);
    const stored = await b.db.selectFrom('plans').select('modules').orderBy('code').execute();
    expect(stored.map((r) => r.modules)).toEqual(lists.map((m) => m.join(';')));
  });

  it('a rejects file writes each value by the same rule, so importing it reads the values the first import read', async () => {
    const t = await db();
    const imp = new Importer(t);
    const rejects = path.join(tempDir(), 'rejects.csv');
    const file = `code,name\nbad 1,=x\nbad 2,'=x\nbad 3,''=x\nbad 4,'abc\nok,Fine\n`;
    const out = await imp.run('products', file, { skipInvalid: true, rejects });
    expect(out.summary).toMatchObject({ inserted: 1, rejected: 4 });
    const written = fs.readFileSync(rejects, 'utf8');
    expect(
      written
        .split('\n')
        .slice(1, 5)
        .map((l) => l.split(',')[1]),
    ).toEqual([`"'=x"`, `"'=x"`, `"''=x"`, `'abc`]);
    const fixed = written.replace(/bad (\d)/g, 'B$1');
    expect((await imp.run('products', fixed)).errors).toEqual([]);
    expect(await storedNames(t)).toEqual(['=x', '=x', "'=x", "'abc", 'Fine']);
    expect((await checkDatabase(t.handle)).ok).toBe(true);
  });
});
