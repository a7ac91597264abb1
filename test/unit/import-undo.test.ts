import fs from 'node:fs';
import path from 'node:path';
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { defineField } from '../../src/accounts/custom-fields.js';
import { editAccount } from '../../src/accounts/service.js';
import { checkDatabase } from '../../src/db/maintenance.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { undoBatch } from '../../src/import/undo.js';
import { editManager } from '../../src/managers/service.js';
import { addContact, removeContact } from '../../src/contacts/service.js';
import { RefusedError } from '../../src/errors.js';
import { writeTx } from '../../src/db/tx.js';
import { dbMigratedTo, eachTestDb, tempDbPath, testOp } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';
import { Importer } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

const op = testOp({ now: '2026-11-25T09:00:00Z' });
const undo = (id: number) => undoBatch(t.db, t.handle, testOp({ now: '2026-11-25T10:00:00Z' }), id);
const logins = async () => (await t.db.selectFrom('managers').select('login').orderBy('id').execute()).map((r) => r.login);

describe('import undo knows exactly what changed since', () => {
  it('refuses when a row the batch inserted was edited in the same second as the import', async () => {
    const out = await imp.run('managers', 'login,name,email\nanna,Anna,anna@v.example\nbob,Bob,bob@v.example\n', {}, op);
    await editManager(t.db, op, 'bob', { name: 'Bob Edited' }); // the same op: the same updated_at as the batch
    const before = await imp.snapshot();
    await expect(undo(out.summary.batch_id!)).rejects.toThrow(/managers changed since: bob/);
    expect(await imp.snapshot()).toEqual(before);
  });

  it('refuses when a row the batch updated was edited in the same second as the import', async () => {
    await imp.run('managers', 'login,name,email\nanna,Anna,anna@v.example\n', {}, testOp({ now: '2026-11-24T09:00:00Z' }));
    const out = await imp.run('managers', 'login,name,email\nanna,Anna K.,anna@v.example\n', {}, op);
    expect(out.summary.updated).toBe(1);
    await editManager(t.db, op, 'anna', { region: 'north' });
    const before = await imp.snapshot();
    await expect(undo(out.summary.batch_id!)).rejects.toThrow(/managers changed since: anna/);
    expect(await imp.snapshot()).toEqual(before);
  });

  it('an edit that changes nothing (accounts, their custom values, managers) writes nothing: undo stays possible', async () => {
    await defineField(t.db, op, { name: 'crm', type: 'number' });
    const accounts = await imp.run('accounts', 'external_id,name,type,region,crm\nX1,x,school,north,12.5\n', {}, op);
    const managers = await imp.run('managers', 'login,name,email,region\nanna,Anna,anna@v.example,north\n', {}, op);
    const before = await imp.snapshot();
    const later = testOp({ now: '2026-11-25T09:30:00Z' });
    await editAccount(t.db, later, 'x1', { region: 'north', type: 'school', fields: { crm: '12.50' } });
    await editManager(t.db, later, 'anna', { region: 'north', email: 'Anna@V.example' });
    await editManager(t.db, later, 'anna', {});
    expect(await imp.snapshot()).toEqual(before); // no updated_at, no rev, no audit row
    expect(await undo(managers.summary.batch_id!)).toMatchObject({ deleted: 1 });
    expect(await undo(accounts.summary.batch_id!)).toMatchObject({ deleted: 1 });
    expect(await t.db.selectFrom('accounts').select('external_id').execute()).toEqual([]);
  });

  it('refuses an undo whose restored rows break a rule now: a sixth primary contact, a live seat of a removed contact; nothing changes', async () => {
    const sch = await t.seed.account('SCH-1');
    const head = 'account_external_id,email,is_primary\n';
    const five = [1, 2, 3, 4, 5].map((i) => `SCH-1,p${i}@s.example,true`).join('\n');
    expect((await imp.run('contacts', `${head}${five}\n`, {}, op)).errors).toEqual([]);
    const off = await imp.run('contacts', `${head}SCH-1,p1@s.example,false\n`, {}, op);
    expect(off.summary).toMatchObject({ updated: 1 });
    await addContact(t.db, op, { account_external_id: 'SCH-1', email: 'p6@s.example', is_primary: true });
    const before = await imp.snapshot();
    // in a transaction, as `import undo` runs it: what the undo restored before it found the breach is rolled back
    const undoInTx = (id: number) => writeTx(t.db, (db) => undoBatch(db, t.handle, testOp({ now: '2026-11-25T10:00:00Z' }), id));
    const refused = await undoInTx(off.summary.batch_id!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toBe(
      `import batch ${off.summary.batch_id!} cannot be undone: the rows it would bring back break a rule now\n  account SCH-1 would have 6 primary contacts (the limit is 5)`,
    );
    expect(await imp.snapshot()).toEqual(before);
    // a seat removed by an import, its contact removed since: the undo would make the seat live again
    const sub = await t.seed.subscription('S-1', { account: sch });
    await t.seed.seat(sub, await t.seed.contact(sch, 'teacher@s.example'));
    const gone = await imp.run('seats', 'subscription_external_id,email,status\nS-1,teacher@s.example,removed\n', {}, op);
    expect(gone.errors).toEqual([]);
    await removeContact(t.db, op, 'teacher@s.example', 'SCH-1');
    const seat = await undoInTx(gone.summary.batch_id!).catch((e: unknown) => e);
    expect((seat as Error).message).toContain('the seat of teacher@s.example on S-1 would be live, its contact removed');
    expect((await checkDatabase(t.handle)).ok).toBe(true);
  });

  it('removes the rows carrying the batch id, not an id range: a row another writer added meanwhile stays', async () => {
    // over one 64 KB chunk, so rows are written before the second chunk is read
    const rows = Array.from({ length: 1500 }, (_, i) => `teacher${i},Teacher Number ${i},teacher${i}@school.example,north`);
    const insert = `insert into managers (login, name, email, email_key, created_at, updated_at) values ('other', 'Other', 'other@v.example', 'other@v.example', '${op.now}', '${op.now}')`;
    let foreign: Promise<unknown> | undefined;
    const onProgress = (_bytes: number, applied: number) => {
      if (foreign || applied <= 1) return;
      // written in the same second by another writer: on SQLite through the import's own connection
      // (one writer at a time), on PostgreSQL by another session that commits while the import runs
      const pool = t.handle.pool;
      foreign = pool ? pool.query(insert) : Promise.resolve(t.handle.sqlite!.prepare(insert).run());
    };
    const out = await imp.run('managers', `login,name,email,region\n${rows.join('\n')}\n`, { onProgress }, op);
    expect(foreign).toBeDefined();
    await foreign;
    const ids = await t.db
      .selectFrom('managers')
      .select(['id', 'login'])
      .where((eb) =>
        eb.or([
          eb('login', '=', 'other'),
          eb(
            'id',
            '=',
            eb.selectFrom('managers').select((f) => f.fn.min('id').as('m')),
          ),
          eb(
            'id',
            '=',
            eb.selectFrom('managers').select((f) => f.fn.max('id').as('m')),
          ),
        ]),
      )
      .execute();
    const other = ids.find((r) => r.login === 'other')!;
    expect(ids.some((r) => r.id < other.id) && ids.some((r) => r.id > other.id)).toBe(true); // inside the batch's id range
    expect(await undo(out.summary.batch_id!)).toMatchObject({ deleted: 1500 });
    expect(await logins()).toEqual(['other']);
    expect((await checkDatabase(t.handle)).ok).toBe(true);
  });

  it('undoes what a batch wrote twice (a parent later in the file, logins on new seats) and custom field values', async () => {
    await defineField(t.db, op, { name: 'vat_no', type: 'text' });
    await imp.run('accounts', 'external_id,name,type\nOLD,Old,school\n', {}, testOp({ now: '2026-11-24T09:00:00Z' }));
    const before = await imp.snapshot();
    const dir = path.join(imp.dir, 'all');
    fs.mkdirSync(dir);
    const files: Record<string, string> = {
      'accounts.csv': 'external_id,name,type,parent_external_id,vat_no\nOLD,Old,school,NEW,\nKID,Kid,school,NEW,BG1\nNEW,New,school,,BG2\n',
      'contacts.csv': 'account_external_id,name,email\nNEW,Ann,ann@new.example\n',
      'products.csv': 'code,name\nBIO,Biology\n',
      'plans.csv': 'code,name,product,currency\nBIO-1,Bio,BIO,EUR\n',
      'prices.csv': 'plan,term_months,amount\nBIO-1,12,100\n',
      'subscriptions.csv':
        'external_id,account_external_id,plan,students,term_months,start_date,renewed_from_external_id\nS2,NEW,BIO-1,10,12,2027-01-01,S1\nS1,NEW,BIO-1,10,12,2026-01-01,\n',
      'seats.csv': 'subscription_external_id,email\nS1,ann@new.example\n',
      'logins.csv': 'subscription_external_id,email,at\nS1,ann@new.example,2026-03-01T08:00:00Z\n',
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const out = await imp.run('all', dir, {}, op);
    expect(out.errors).toEqual([]);
    expect(out.summary).toMatchObject({ updated: 1 });
    const res = await undo(out.summary.batch_id!);
    expect(res).toMatchObject({ restored: 2 }); // OLD: its row, then its parent set at the end
    expect(await imp.snapshot()).toMatchObject({
      accounts: before.accounts,
      account_field_values: [],
      contacts: [],
      seats: [],
      login_events: [],
      subscriptions: [],
    });
  });

  // SQLite only: PostgreSQL support came after migration 0006, so only SQLite databases hold batches made before it
  itSqlite('converts batches made before row batch ids: their id ranges and, once, the clock (SQLite only)', async () => {
    const file = tempDbPath();
    const h = await dbMigratedTo('0004_notices', file);
    const at = '2026-11-20T09:00:00Z';
    h.sqlite!.exec(`
      insert into import_batches (id, at, actor, entity, source, status, inserted, updated) values (1, '${at}', 'x', 'managers', 'm.csv', 'applied', 2, 1);
      insert into managers (id, login, name, email, created_at, updated_at) values
        (1, 'kept', 'Kept', 'kept@v.example', '2026-01-01T00:00:00Z', '${at}'),
        (2, 'new1', 'New 1', 'new1@v.example', '${at}', '${at}'),
        (3, 'new2', 'Edited later', 'new2@v.example', '${at}', '2026-11-21T00:00:00Z');
      insert into import_batch_inserts (batch_id, table_name, first_id, last_id, row_count) values (1, 'managers', 2, 3, 2);
      insert into import_batch_updates (batch_id, table_name, row_id, before_json) values (1, 'managers', 1, '{"id":1,"name":"Before"}');`);
    await migrateToLatest(h.db);
    expect(h.sqlite!.prepare('select login, import_batch_id, rev from managers order by id').all()).toEqual([
      { login: 'kept', import_batch_id: null, rev: 0 },
      { login: 'new1', import_batch_id: 1, rev: 0 },
      { login: 'new2', import_batch_id: 1, rev: 1 },
    ]);
    expect(h.sqlite!.prepare('select rev_after from import_batch_updates').all()).toEqual([{ rev_after: 0 }]);
    await expect(undoBatch(h.db, h, op, 1)).rejects.toThrow(/managers changed since: new2$/m);
    h.sqlite!.prepare(`delete from managers where login = 'new2'`).run();
    h.sqlite!.prepare(`update import_batch_inserts set row_count = 1`).run();
    expect(await undoBatch(h.db, h, op, 1)).toEqual({ batch_id: 1, deleted: 1, restored: 1 });
    expect(h.sqlite!.prepare('select login, name from managers').all()).toEqual([{ login: 'kept', name: 'Before' }]);
    expect((await checkDatabase(h)).ok).toBe(true);
    await h.close();
  });

  it('every UPDATE increments rev, whoever runs it; one that sets rev itself keeps its value', async () => {
    await imp.run('managers', 'login,name,email\nanna,Anna,anna@v.example\n', {}, op);
    const rev = async () => (await t.db.selectFrom('managers').select('rev').executeTakeFirstOrThrow()).rev;
    const exec = (q: string) => sql.raw(q).execute(t.db);
    expect(await rev()).toBe(0);
    await exec(`update managers set name = 'A'`);
    await exec(`update managers set name = 'A'`);
    expect(await rev()).toBe(2);
    await exec(`update managers set name = 'B', rev = 7`);
    expect(await rev()).toBe(7);
    expect((await checkDatabase(t.handle)).ok).toBe(true);
  });
});
