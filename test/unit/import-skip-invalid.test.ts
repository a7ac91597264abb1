/**
 * --skip-invalid with rows that only the checks at the end refuse (a parent or renewal named nowhere,
 * a loop): the rows that referred to a refused one are refused in turn, and the file is read at most
 * twice (src/import/passes.ts). The expected lines are those the import gave when it re-ran the whole
 * import until nothing more was refused (up to ten times), except where named below.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../src/import/service.js';
import { freshDb, type TestDb } from '../helpers/db.js';
import { Importer, loadAll } from '../helpers/import.js';

let t: TestDb;
let imp: Importer;
beforeEach(async () => {
  t = await freshDb();
  imp = new Importer(t);
});
afterEach(() => t.close());

const H = 'external_id,name,type,parent_external_id\n';
const NO_ACCOUNT = 'no account with this external_id (in the database or this file)';

/** The error lines without the directory, and how many times the file was read again. */
function lines(out: ImportOutcome): string[] {
  return out.errors.map((e) => e.replace(`${imp.dir}/`, ''));
}
function rereads(out: ImportOutcome): number {
  return out.notes.filter((n) => n.includes('read again without them')).length;
}

async function accounts(): Promise<{ e: string; parent: string | null }[]> {
  return t.db
    .selectFrom('accounts as a')
    .leftJoin('accounts as p', 'p.id', 'a.parent_id')
    .select(['a.external_id as e', 'p.external_id as parent'])
    .orderBy('a.id')
    .execute();
}

describe('import --skip-invalid: rows refused at the end, in one or two passes', () => {
  it('a chain of forward references ending nowhere is refused whole, however long (before: the eleventh pass gave up and imported the rest)', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `C${i},C${i},school,C${i + 1}`);
    const rejects = `${imp.dir}/rejects.csv`;
    const out = await imp.run('accounts', `${H}${rows.join('\n')}\nC12,C12,school,GHOST\nOK,OK,school,\n`, { skipInvalid: true, rejects });
    expect(out.summary).toMatchObject({ inserted: 1, rejected: 13 });
    expect(lines(out)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `accounts.csv:${i + 2}: parent_external_id: "C${i + 1}": ${NO_ACCOUNT}`),
      `accounts.csv:14: parent_external_id: "GHOST": ${NO_ACCOUNT}`,
    ]);
    expect(fs.readFileSync(rejects, 'utf8').split('\n').slice(1, 3)).toEqual([
      `C0,C0,school,C1,parent_external_id: ${NO_ACCOUNT}`,
      `C1,C1,school,C2,parent_external_id: ${NO_ACCOUNT}`,
    ]);
    expect(await accounts()).toEqual([{ e: 'OK', parent: null }]);
    expect(rereads(out)).toBe(1);
  });

  it('a loop is refused on the line that reports it, and the rows naming its rows after it', async () => {
    const out = await imp.run('accounts', `${H}X,X,school,Y\nY,Y,school,X\nZ,Z,school,Y\nW,W,school,\nV,V,school,W\n`, {
      skipInvalid: true,
    });
    expect(lines(out)).toEqual([
      'accounts.csv:2: parent_external_id: "Y": would make a parent cycle: X → Y → X',
      `accounts.csv:3: parent_external_id: "X": ${NO_ACCOUNT}`,
      `accounts.csv:4: parent_external_id: "Y": ${NO_ACCOUNT}`,
    ]);
    expect(out.summary).toMatchObject({ inserted: 2, rejected: 3 });
    expect(await accounts()).toEqual([
      { e: 'W', parent: null },
      { e: 'V', parent: 'W' },
    ]);
    expect(rereads(out)).toBe(1);
    // the second run drew the first run's ids again (on PostgreSQL too, whose sequences a rollback leaves
    // moved): the same ids on both engines, and the next account's id follows them
    const ids = await t.db.selectFrom('accounts').select('id').orderBy('id').execute();
    expect(ids.map((r) => Number(r.id))).toEqual([1, 2]);
    expect((await imp.run('accounts', `${H}U,U,school,\n`)).summary).toMatchObject({ inserted: 1 });
    expect((await t.db.selectFrom('accounts').select('id').where('external_id', '=', 'U').executeTakeFirstOrThrow()).id).toBe(3);
  });

  it('a stored account left as it was can close a loop that the first pass did not have', async () => {
    await imp.run('accounts', `${H}M,M,school,\nK,K,school,M\nQ,Q,school,\n`);
    const out = await imp.run('accounts', `${H}K,K2,school,GHOST\nM,M2,school,K\nQ,Q2,school,K\nN,N,school,M\n`, { skipInvalid: true });
    expect(lines(out)).toEqual([
      'accounts.csv:2: parent_external_id: "GHOST": would make a parent cycle: K → M → K',
      'accounts.csv:3: parent_external_id: "K": would make a parent cycle: M → K → M',
    ]);
    expect(out.summary).toMatchObject({ inserted: 1, updated: 1, rejected: 2 });
    expect(await accounts()).toEqual([
      { e: 'M', parent: null },
      { e: 'K', parent: 'M' },
      { e: 'Q', parent: 'K' },
      { e: 'N', parent: 'M' },
    ]);
    expect(rereads(out)).toBe(1);
  });

  it('stored rows updated with references: a loop through three, and a chain from a reference named nowhere', async () => {
    await imp.run('accounts', `${H}A,A,school,\nB,B,school,A\nC,C,school,\n`);
    const out = await imp.run('accounts', `${H}A,A,school,C\nC,C,school,B\nB,B2,school,\nD,D,school,A\nE,E,school,NOPE\nF,F,school,E\n`, {
      skipInvalid: true,
    });
    expect(lines(out)).toEqual([
      'accounts.csv:2: parent_external_id: "C": would make a parent cycle: A → C → B → A',
      `accounts.csv:6: parent_external_id: "NOPE": ${NO_ACCOUNT}`,
      `accounts.csv:7: parent_external_id: "E": ${NO_ACCOUNT}`,
    ]);
    expect(out.summary).toMatchObject({ inserted: 1, updated: 2, rejected: 3 });
    expect(rereads(out)).toBe(1);
  });

  it('a row naming a row refused for its own cells is refused too', async () => {
    const out = await imp.run('accounts', `${H}A,A,school,B\nB,B,wizard,\nC,C,school,A\nE,E,school,F\nF,F,school,\n`, {
      skipInvalid: true,
    });
    expect(lines(out)).toEqual([
      `accounts.csv:2: parent_external_id: "B": ${NO_ACCOUNT}`,
      'accounts.csv:3: type: "wizard": must be one of school, company, training_provider, tutor, guest',
      `accounts.csv:4: parent_external_id: "A": ${NO_ACCOUNT}`,
    ]);
    expect(await accounts()).toEqual([
      { e: 'E', parent: 'F' },
      { e: 'F', parent: null },
    ]);
  });

  it('a row repeating the key of a row refused at the end is its duplicate, as without --skip-invalid (before: the re-run imported it)', async () => {
    const csv = `${H}X,X1,school,GHOST\nx,X2,school,\nx,X3,wizard,\nY,Y,school,x\n`;
    const all = await imp.run('accounts', csv);
    expect(lines(all)).toContain('accounts.csv:3: external_id: "x": duplicates line 2 (same external_id)');
    const rejects = `${imp.dir}/rejects.csv`;
    const out = await imp.run('accounts', csv, { skipInvalid: true, rejects });
    expect(lines(out)).toEqual([
      `accounts.csv:2: parent_external_id: "GHOST": ${NO_ACCOUNT}`,
      'accounts.csv:3: external_id: "x": duplicates line 2 (same external_id)',
      'accounts.csv:4: external_id: "x": duplicates line 2 (same external_id)',
      `accounts.csv:5: parent_external_id: "x": ${NO_ACCOUNT}`,
    ]);
    expect(out.summary).toMatchObject({ batch_id: null, inserted: 0, rejected: 4 });
    expect(fs.readFileSync(rejects, 'utf8')).toBe(
      'external_id,name,type,parent_external_id,error\n' +
        `X,X1,school,GHOST,parent_external_id: ${NO_ACCOUNT}\n` +
        'x,X2,school,,external_id: duplicates line 2 (same external_id)\n' +
        'x,X3,wizard,,external_id: duplicates line 2 (same external_id)\n' +
        `Y,Y,school,x,parent_external_id: ${NO_ACCOUNT}\n`,
    );
  });

  it('subscriptions: renewals named nowhere, after a refused one, and in a loop', async () => {
    await loadAll(t);
    const head = 'external_id,account_external_id,plan,students,term_months,start_date,renewed_from_external_id\n';
    const row = (id: string, start: string, from: string) => `${id},SCH-001,BIO-BASIC,10,12,${start},${from}`;
    const csv = [
      row('R1', '2027-01-01', 'R2'),
      row('R2', '2026-01-01', 'NOPE'),
      row('R3', '2028-01-01', 'R1'),
      // SUB-2 renews SUB-1 in the fixtures: the one live successor a subscription may have
      row('R4', '2028-01-01', 'SUB-2'),
      row('R5', '2028-01-01', 'R5X'),
      row('R5X', '2028-01-01', 'R5'),
    ];
    const out = await imp.run('subscriptions', `${head}${csv.join('\n')}\n`, { skipInvalid: true });
    const none = 'no subscription with this external_id (in the database or this file)';
    expect(lines(out)).toEqual([
      `subscriptions.csv:2: renewed_from_external_id: "R2": ${none}`,
      `subscriptions.csv:3: renewed_from_external_id: "NOPE": ${none}`,
      `subscriptions.csv:4: renewed_from_external_id: "R1": ${none}`,
      'subscriptions.csv:6: renewed_from_external_id: "R5X": would make a renewal loop: R5 → R5X → R5',
      `subscriptions.csv:7: renewed_from_external_id: "R5": ${none}`,
    ]);
    expect(out.summary).toMatchObject({ inserted: 1, rejected: 5 });
    const r4 = await t.db
      .selectFrom('subscriptions as s')
      .innerJoin('subscriptions as p', 'p.id', 's.renewed_from_id')
      .select('p.external_id')
      .where('s.external_id', '=', 'R4')
      .executeTakeFirst();
    expect(r4).toEqual({ external_id: 'SUB-2' });
    expect(rereads(out)).toBe(1);
  });

  it('import all: the files after one read twice see exactly the accounts that stay', async () => {
    const dir = `${imp.dir}/all`;
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/accounts.csv`, `${H}P,P,school,\nS1,S1,school,P\nS2,S2,school,GHOST\nS3,S3,school,S2\n`);
    fs.writeFileSync(`${dir}/contacts.csv`, 'account_external_id,email\nS1,a@s.example\nS2,b@s.example\nS3,c@s.example\nP,d@s.example\n');
    const out = await imp.run('all', dir, { skipInvalid: true });
    expect(lines(out)).toEqual([
      `all/accounts.csv:4: parent_external_id: "GHOST": ${NO_ACCOUNT}`,
      `all/accounts.csv:5: parent_external_id: "S2": ${NO_ACCOUNT}`,
      'all/contacts.csv:3: account_external_id: "S2": no account with this external_id (in the database or the accounts imported with it)',
      'all/contacts.csv:4: account_external_id: "S3": no account with this external_id (in the database or the accounts imported with it)',
    ]);
    expect(out.summary.entities).toEqual({
      accounts: { inserted: 2, updated: 0, unchanged: 0, rejected: 2 },
      contacts: { inserted: 2, updated: 0, unchanged: 0, rejected: 2 },
    });
    await imp.snapshot(); // the bookkeeping of the first pass went with its savepoint: db check is clean
    expect(rereads(out)).toBe(1);
  });

  it('without --skip-invalid the file is read once and every problem is listed', async () => {
    const out = await imp.run('accounts', `${H}C,C,school,B\nB,B,school,GHOST\nX,X,school,Y\nY,Y,school,X\nx,dup,school,\n`);
    expect(out.failed).toBe(true);
    expect(lines(out)).toEqual([
      `accounts.csv:3: parent_external_id: "GHOST": ${NO_ACCOUNT}`,
      'accounts.csv:4: parent_external_id: "Y": would make a parent cycle: X → Y → X',
      'accounts.csv:6: external_id: "x": duplicates line 4 (same external_id)',
    ]);
    expect(rereads(out)).toBe(0);
  });
});
