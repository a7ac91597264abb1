/**
 * The ids an import draws: a dry run, a refused import and one that changes nothing give theirs back (on
 * PostgreSQL too, whose sequences a rollback does not restore: src/db/sequences.ts), so the next import's
 * batch number and rows' ids are the same on both engines; and ids far above the stored rows (a gap a
 * sequence leaves) cost an import no memory in proportion to the gap (IdLines).
 */
import fs from 'node:fs';
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/errors.js';
import { IdLines } from '../../src/import/entities/common.js';
import { ImportFileError } from '../../src/import/errors.js';
import { runImport } from '../../src/import/service.js';
import { itPostgres, onPostgres } from '../helpers/engine.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer, request } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

const HEADER = 'external_id,name,type,country\n';

function accounts(from: number, count: number): string {
  let csv = HEADER;
  for (let i = from; i < from + count; i++) csv += `ACC-${i},School number ${i},school,BG\n`;
  return csv;
}

async function ids(): Promise<number[]> {
  const rows = await t.db.selectFrom('accounts').select('id').orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

describe('the ids an import draws', () => {
  it('a dry run (through COPY on PostgreSQL), a refused import and one that changes nothing give theirs back: the next batch and rows get the next ids', async () => {
    // before any row: the sequences go back to "not called" (the next id is their start)
    expect(await imp.run('accounts', accounts(100, 3000), { dryRun: true })).toMatchObject({ failed: false, dryRun: true });
    const first = await imp.run('accounts', accounts(1, 3));
    expect(first.summary.batch_id).toBe(1);
    expect(await ids()).toEqual([1, 2, 3]);

    const dry = await imp.run('accounts', accounts(100, 3000), { dryRun: true });
    expect(dry).toMatchObject({ failed: false, dryRun: true, summary: { inserted: 3000, batch_id: null } });
    // the large file took the bulk path (on PostgreSQL a COPY, whose ids the import draws itself)
    if (onPostgres) expect(dry.notes.join('\n')).toContain('accounts: rows loaded with COPY FROM STDIN');

    const refused = await imp.run('accounts', `${HEADER}ACC-50,A,school,BG\nACC-51,B,nonsense,BG\n`);
    expect(refused.failed).toBe(true);
    const unchanged = await imp.run('accounts', accounts(1, 3));
    expect(unchanged.summary).toMatchObject({ batch_id: null, unchanged: 3 });

    const next = await imp.run('accounts', accounts(4, 2));
    expect(next.summary.batch_id).toBe(2);
    expect(await ids()).toEqual([1, 2, 3, 4, 5]);
    const batches = await t.db.selectFrom('import_batches').select('id').orderBy('id').execute();
    expect(batches.map((b) => Number(b.id))).toEqual([1, 2]);
  });

  it('a file refused as a whole (unknown or missing column, empty, not UTF-8, an unterminated quote after rows) gives its batch number and ids back', async () => {
    const refusals: [string, string | Buffer][] = [
      ['unknown column', 'nmae\nTypo\n'],
      ['empty file', ''],
      ['not UTF-8', Buffer.from('name\nCaf\xe9\n', 'latin1')],
      ['unterminated quote', `${accounts(1, 3)}ACC-9,"never closed,school,BG\n`],
    ];
    for (const [what, content] of refusals) {
      const entity = what === 'unterminated quote' ? 'accounts' : 'groups';
      const file = imp.file(`${what.replaceAll(' ', '-')}.csv`, '');
      fs.writeFileSync(file, content);
      await expect(runImport(t.handle, testOp(), request(entity, file)), what).rejects.toBeInstanceOf(ImportFileError);
    }
    const good = await imp.run('accounts', accounts(1, 2));
    expect(good.summary.batch_id).toBe(1);
    expect(await ids()).toEqual([1, 2]);
  });

  it('new ids far above the stored ones (a gap of a billion) cost no memory in proportion to the gap', async () => {
    await imp.run('accounts', accounts(1, 3));
    const gap = 1_000_000_000;
    if (onPostgres) await sql`select setval(pg_get_serial_sequence('accounts', 'id'), ${gap})`.execute(t.db);
    else await sql`update sqlite_sequence set seq = ${gap} where name = 'accounts'`.execute(t.db);
    const before = process.memoryUsage().arrayBuffers;
    // a new row after the gap, then a stored one updated, and the new one named twice (its line is found)
    const out = await imp.run('accounts', `${HEADER}ACC-9,New,school,BG\nACC-1,Renamed,school,BG\nACC-9,Again,school,BG\n`);
    expect(out.errors).toEqual([`${imp.dir}/accounts.csv:4: external_id: "ACC-9": duplicates line 2 (same external_id)`]);
    const grown = await imp.run('accounts', `${HEADER}ACC-9,New,school,BG\nACC-1,Renamed,school,BG\n`);
    expect(grown.summary).toMatchObject({ inserted: 1, updated: 1 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(await ids()).toEqual([1, 2, 3, gap + 1]);
  });
});

describe('ids past what a bulk load indexes', () => {
  // SQLite's bulk load gives its new rows no ids of its own, and a table holding such ids is never bulk-loaded
  // (the plan weighs the file against the table's largest id): only a PostgreSQL sequence can get there
  itPostgres(
    'a large file into a table whose sequence has passed 2^31 - 1 is refused as such (exit 1, nothing imported), not as a bug (PostgreSQL only)',
    async () => {
      await imp.run('accounts', accounts(1, 3));
      await sql`select setval(pg_get_serial_sequence('accounts', 'id'), ${2 ** 31 - 5})`.execute(t.db);
      const before = await imp.snapshot();
      const refused = await imp.run('accounts', accounts(1000, 3000)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RefusedError);
      expect((refused as RefusedError).message).toBe(
        `import: accounts ids have reached ${2 ** 31}, past the 2147483647 a large file's bulk load can index; nothing was imported`,
      );
      expect((refused as RefusedError).exitCode).toBe(1);
      expect(await imp.snapshot()).toEqual(before);
    },
  );
});

describe('IdLines', () => {
  it('keeps a line for any id, dense or far apart, in pages made as ids are met', () => {
    const lines = new IdLines();
    const before = process.memoryUsage().arrayBuffers;
    const far = [1, 2, 4095, 4096, 4097, 1_000_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER];
    far.forEach((id, i) => lines.set(id, i + 2));
    for (let id = 5_000; id < 105_000; id++) lines.set(id, id);
    expect(far.map((id) => lines.get(id))).toEqual(far.map((_, i) => i + 2));
    expect(lines.get(104_999)).toBe(104_999);
    expect([0, 3, 4098, 999_999_999, 105_000, 2 ** 40 + 1].map((id) => lines.get(id))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // 100,000 dense ids and eight far apart: about 30 pages of 16 KB, not an array as long as the largest id
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
  });
});
