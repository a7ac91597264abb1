import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineField } from '../../src/accounts/custom-fields.js';
import { listAudit } from '../../src/audit/audit.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { Importer, loadAll, type ImportRun } from '../helpers/import.js';

let imp: Importer;
const t = eachTestDb(async () => {
  imp = new Importer(t);
});

const MANAGERS =
  'login,name,email,employee_id,region\nAKowalski,Anna Kowalski,anna@v.example,E1,north\njnowak,Jan Nowak,jan@v.example,,south\n';

describe('import: managers and the common rules', () => {
  it('inserts, then re-importing the same file changes nothing and leaves no batch', async () => {
    const first = await imp.run('managers', MANAGERS);
    expect(first.summary).toMatchObject({ inserted: 2, updated: 0, unchanged: 0, rejected: 0, entities: { managers: { inserted: 2 } } });
    expect(first.summary.batch_id).toBeTypeOf('number');
    const before = await imp.snapshot();
    const again = await imp.run('managers', MANAGERS);
    expect(again.summary).toMatchObject({ batch_id: null, inserted: 0, updated: 0, unchanged: 2 });
    expect(await imp.snapshot()).toEqual(before);
    expect((await listAudit(t.db, { entity: 'import' })).length).toBe(1); // one audit row per batch
  });

  it('compares keys case-insensitively; an empty cell leaves the stored value', async () => {
    await imp.run('managers', MANAGERS);
    const out = await imp.run('managers', 'login,name,email,region\nakowalski,,,west\n');
    expect(out.summary).toMatchObject({ updated: 1, inserted: 0 });
    const row = await t.db.selectFrom('managers').selectAll().where('login', '=', 'akowalski').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Anna Kowalski', email: 'anna@v.example', region: 'west', employee_id: 'E1' });
  });

  it('refuses a file with bad rows as a whole: every error as FILE:LINE: column: "value": rule, nothing written', async () => {
    await imp.run('managers', MANAGERS);
    const before = await imp.snapshot();
    const long = 'x'.repeat(250);
    const out = await imp.run(
      'managers',
      `login,name,email\nnew1,N,anna@v.example\nnew2,N,bad\n\nnew3,${long},n3@v.example\nnew4,"tab\there",n4@v.example\nNEW1,Again,again@v.example\n`,
    );
    expect(out.failed).toBe(true);
    const file = `${imp.dir}/managers.csv`;
    expect(out.errors).toEqual([
      `${file}:2: email: "anna@v.example": is already used by manager akowalski`,
      `${file}:3: email: "bad": is not a valid email address`,
      `${file}:5: name: "${'x'.repeat(200)}…": must be at most 200 characters`,
      `${file}:6: name: "tab\\there": must not contain control characters, tabs or line breaks (found U+0009)`,
      `${file}:7: login: "NEW1": duplicates line 2 (same login)`,
    ]);
    expect(out.summary).toMatchObject({ batch_id: null, rejected: 5 });
    expect(await imp.snapshot()).toEqual(before);
    const cut = await imp.run('managers', `login,name,email\nbad login,N,x@v.example\nok,N,${long}\n`);
    expect(cut.errors[0]).toContain('login: "bad login": may contain only');
    expect(cut.errors[1]).toContain(`email: "${'x'.repeat(200)}…": is not a valid email address`);
  });

  it('lists the first --max-errors errors, then a count', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `m${i},M,bad${i}`).join('\n');
    const out = await imp.run('managers', `login,name,email\n${rows}\n`, { maxErrors: 3 });
    expect(out.errors).toHaveLength(4);
    expect(out.errors[3]).toBe('… and 4 more errors (--max-errors to see more)');
    expect(out.errorCount).toBe(7);
  });

  it('--dry-run gives exact counts and writes nothing; --on-existing skip and error', async () => {
    const before = await imp.snapshot();
    const dry = await imp.run('managers', MANAGERS, { dryRun: true });
    expect(dry.summary).toMatchObject({ batch_id: null, inserted: 2 });
    expect(await imp.snapshot()).toEqual(before);
    await imp.run('managers', MANAGERS);
    const changed = 'login,name,email\nakowalski,Changed,anna@v.example\n';
    expect((await imp.run('managers', changed, { onExisting: 'skip' })).summary).toMatchObject({ unchanged: 1, updated: 0 });
    const err = await imp.run('managers', changed, { onExisting: 'error' });
    expect(err.errors[0]).toMatch(/:2: login: "akowalski": already exists \(--on-existing error\)$/);
  });

  it('--skip-invalid imports the valid rows and writes the rejected ones with an error column', async () => {
    const rejects = `${imp.dir}/rejects.csv`;
    const out = await imp.run('managers', 'login,name,email\nok1,A,a@v.example\nbad,"B, Jr",nope\nok2,C,c@v.example\n', {
      skipInvalid: true,
      rejects,
    });
    expect(out.failed).toBe(false);
    expect(out.summary).toMatchObject({ inserted: 2, rejected: 1 });
    expect(fs.readFileSync(rejects, 'utf8')).toBe('login,name,email,error\nbad,"B, Jr",nope,email: is not a valid email address\n');
    fs.writeFileSync(rejects, fs.readFileSync(rejects, 'utf8').replace('nope', 'b@v.example'));
    const fixed = await imp.run('managers', fs.readFileSync(rejects, 'utf8'));
    expect(fixed.summary).toMatchObject({ inserted: 1, rejected: 0 });
  });

  it('import all --skip-invalid --rejects DIR writes one ENTITY.csv per file, re-importable once fixed', async () => {
    const dir = `${imp.dir}/sheets`;
    const rejects = `${imp.dir}/rejected`;
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/accounts.csv`, 'external_id,name,type\nA1,One,school\nA2,Two,wizard\n');
    fs.writeFileSync(
      `${dir}/contacts.csv`,
      'account_external_id,name,email\nA1,Ann,ann@a1.example\nA2,Bob,bob@a2.example\nA1,Bad,not-an-email\n',
    );
    const out = await imp.run('all', dir, { skipInvalid: true, rejects });
    expect(out.summary).toMatchObject({ inserted: 2, rejected: 3 });
    expect(out.summary.entities).toMatchObject({ accounts: { inserted: 1, rejected: 1 }, contacts: { inserted: 1, rejected: 2 } });
    expect(fs.readdirSync(rejects).sort()).toEqual(['accounts.csv', 'contacts.csv']);
    expect(fs.readFileSync(`${rejects}/accounts.csv`, 'utf8')).toBe(
      'external_id,name,type,error\nA2,Two,wizard,"type: must be one of school, company, training_provider, tutor, guest"\n',
    );
    expect(fs.readFileSync(`${rejects}/contacts.csv`, 'utf8')).toBe(
      'account_external_id,name,email,error\n' +
        'A2,Bob,bob@a2.example,account_external_id: no account with this external_id (in the database or the accounts imported with it)\n' +
        'A1,Bad,not-an-email,email: is not a valid email address\n',
    );
    // fixed in place, the rejects directory imports as it is (the error column is ignored)
    for (const [file, bad, good] of [
      ['accounts', 'wizard', 'school'],
      ['contacts', 'not-an-email', 'bad@a1.example'],
    ] as const) {
      fs.writeFileSync(`${rejects}/${file}.csv`, fs.readFileSync(`${rejects}/${file}.csv`, 'utf8').replace(bad, good));
    }
    const fixed = await imp.run('all', rejects);
    expect(fixed.errors).toEqual([]);
    expect(fixed.summary).toMatchObject({ inserted: 3, rejected: 0 });
  });

  it('refuses a 6th primary contact, unknown accounts, and duplicates in the file naming both lines', async () => {
    await loadAll(t);
    const before = await imp.snapshot();
    const primaries = Array.from({ length: 5 }, (_, i) => `SCH-002,P${i},p${i}@s.example,teacher,true`).join('\n');
    const out = await imp.run(
      'contacts',
      `account_external_id,name,email,role,is_primary\n${primaries}\nsch-002,Sixth,six@s.example,teacher,yes\nNOPE,X,x@s.example,,\nSCH-002,Again,P1@S.example,,\n`,
    );
    expect(out.errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'))).toEqual([
      '7: is_primary: "yes": account SCH-002 already has 5 primary contacts (the limit is 5)',
      '8: account_external_id: "NOPE": no account with this external_id (in the database or the accounts imported with it)',
      '9: email: "P1@S.example": duplicates line 3 (same account_external_id + email)',
    ]);
    expect(await imp.snapshot()).toEqual(before);
    // against the database a key that exists is an update, not an error
    const upd = await imp.run('contacts', 'account_external_id,email,name\nsch-001,MARIA@school.example,Maria I.\n');
    expect(upd.summary).toMatchObject({ updated: 1, inserted: 0 });
  });
});

describe('import: references, cycles and computed values', () => {
  it('accounts: a sub-account before its parent, groups created, managers in the same import', async () => {
    fs.mkdirSync(`${imp.dir}/all2`);
    fs.writeFileSync(`${imp.dir}/all2/managers.csv`, MANAGERS);
    fs.writeFileSync(
      `${imp.dir}/all2/accounts.csv`,
      'external_id,name,type,group,parent_external_id,manager_login\nB,Branch,school,New Group,A,jnowak\nA,Main,school,new group,,AKOWALSKI\n',
    );
    const r = await imp.run('all', `${imp.dir}/all2`);
    expect(r.failed).toBe(false);
    expect(r.summary.entities).toMatchObject({ managers: { inserted: 2 }, accounts: { inserted: 2 } });
    const b = await t.db
      .selectFrom('accounts as a')
      .innerJoin('accounts as p', 'p.id', 'a.parent_id')
      .select('p.external_id')
      .where('a.external_id', '=', 'B')
      .executeTakeFirstOrThrow();
    expect(b.external_id).toBe('A');
    expect(await t.db.selectFrom('account_groups').select('name').execute()).toEqual([{ name: 'New Group' }]);
  });

  it('accounts: cycles, unknown parents and managers, tutors with a manager and required custom fields are refused', async () => {
    await imp.run('managers', MANAGERS);
    await imp.run('accounts', 'external_id,name,type\nA,A,school\n');
    await defineField(t.db, testOp(), { name: 'vat_no', type: 'text', required: true });
    const before = await imp.snapshot();
    const out = await imp.run(
      'accounts',
      'external_id,name,type,parent_external_id,manager_login,vat_no\nX,X,school,Y,,1\nY,Y,school,X,,2\nZ,Z,school,ZZ,,3\nT,T,tutor,,jnowak,4\nS,S,school,,ghost,5\nR,R,school,,,\nQ,Q,school,q,,6\n',
    );
    // in line order, the checks at the end of the file (parents later in it, cycles) included
    expect(out.errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'))).toEqual([
      '2: parent_external_id: "Y": would make a parent cycle: X → Y → X',
      '4: parent_external_id: "ZZ": no account with this external_id (in the database or this file)',
      '5: manager_login: "jnowak": must be empty for a tutor account (a private tutor is both subscriber and user, with no manager)',
      '6: manager_login: "ghost": no manager with this login (in the database or the managers imported with it)',
      '7: vat_no: "": is a required custom field',
      '8: parent_external_id: "q": is the account itself: an account cannot be its own parent',
    ]);
    expect(await imp.snapshot()).toEqual(before);
  });

  it('a row refused by the checks at the end is counted as rejected only, also in a dry run (accounts, subscriptions)', async () => {
    const counts = (o: ImportRun) => [o.summary.inserted, o.summary.updated, o.summary.unchanged, o.summary.rejected];
    const unknown = 'external_id,name,type,parent_external_id\nB1,One,school,ZZ\nB2,Two,school,\n';
    expect(counts(await imp.run('accounts', unknown, { dryRun: true }))).toEqual([1, 0, 0, 1]);
    expect(counts(await imp.run('accounts', unknown))).toEqual([1, 0, 0, 1]);
    const cycle = 'external_id,name,type,parent_external_id\nA2,Two,school,A3\nA3,Three,school,A2\nA4,Four,school,\n';
    expect(counts(await imp.run('accounts', cycle))).toEqual([2, 0, 0, 1]);
    await loadAll(t);
    const head = 'external_id,account_external_id,plan,students,term_months,start_date,renewed_from_external_id\n';
    const subs = `${head}R1,SCH-001,BIO-BASIC,10,12,2027-01-01,NOPE\nR2,SCH-001,BIO-BASIC,10,12,2028-01-01,\n`;
    expect(counts(await imp.run('subscriptions', subs, { dryRun: true }))).toEqual([1, 0, 0, 1]);
  });

  it('--skip-invalid also drops rows refused only at the end (unknown parents), and those that depended on them', async () => {
    const rejects = `${imp.dir}/rejects.csv`;
    const out = await imp.run(
      'accounts',
      'external_id,name,type,parent_external_id\nC,C,school,B\nB,B,school,GHOST\nA,A,school,\nD,D,school,A\n',
      { skipInvalid: true, rejects },
    );
    expect(out.summary).toMatchObject({ inserted: 2, rejected: 2, batch_id: 1 });
    const ids = await t.db.selectFrom('accounts').select('external_id').orderBy('external_id').execute();
    expect(ids.map((r) => r.external_id)).toEqual(['A', 'D']);
    expect(fs.readFileSync(rejects, 'utf8')).toBe(
      'external_id,name,type,parent_external_id,error\n' +
        'C,C,school,B,parent_external_id: no account with this external_id (in the database or this file)\n' +
        'B,B,school,GHOST,parent_external_id: no account with this external_id (in the database or this file)\n',
    );
  });

  it('subscriptions: given end_date and price taken as given, empty ones computed, retired plans and forward renewals import', async () => {
    await loadAll(t);
    const rows = await t.db
      .selectFrom('subscriptions')
      .select(['external_id', 'end_date', 'price_cents', 'renewed_from_id'])
      .orderBy('external_id')
      .execute();
    expect(rows[0]).toMatchObject({ external_id: 'SUB-1', end_date: '2026-01-14', price_cents: 29999 }); // BIO-OLD is retired
    expect(rows[1]).toMatchObject({ external_id: 'SUB-2', end_date: '2027-01-14', price_cents: 80000 }); // 120 students → the 500 row
    expect(rows[1]!.renewed_from_id).not.toBeNull();
    const bad = await imp.run(
      'subscriptions',
      'external_id,account_external_id,plan,students,term_months,start_date,end_date,price\nN1,SCH-001,BIO-BASIC,10,12,2026-05-01,2026-04-30,\nN2,SCH-001,BIO-BASIC,900,12,2026-05-01,,\nN3,SCH-001,BIO-BASIC,10,6,2026-05-01,,\n',
    );
    expect(bad.errors.map((e) => e.replace(/^.*?:(\d+):/, '$1:'))).toEqual([
      '2: end_date: "2026-04-30": is before start_date 2026-05-01',
      '3: price: "": cannot be computed: plan BIO-BASIC has no price for 900 students on a 12-month term: its largest tier is 500 students (give the price)',
      '4: term_months: "6": must be 12 or 24',
    ]);
  });

  it('mixed date formats: refused with a hint, accepted with --date-format', async () => {
    await loadAll(t);
    const csv = 'account_external_id,email,invited_at\nSCH-001,a@s.example,2026-01-31\nSCH-001,b@s.example,31.01.2026\n';
    const out = await imp.run('contacts', csv);
    expect(out.errors[0]).toMatch(
      /:3: invited_at: "31\.01\.2026": must be a date in the form YYYY-MM-DD \(for DD\.MM\.YYYY dates use --date-format DD\.MM\.YYYY\)$/,
    );
    const ok = await imp.run('contacts', csv, { dateFormat: 'DD.MM.YYYY' });
    expect(ok.summary.inserted).toBe(2);
    const b = await t.db.selectFrom('contacts').select('invited_at').where('email', '=', 'b@s.example').executeTakeFirstOrThrow();
    expect(b.invited_at).toBe('2026-01-31');
    // with --date-format, a date in neither form is told of both; an impossible one of its calendar
    const bad = 'account_external_id,email,invited_at\nSCH-001,c@s.example,2026/01/31\nSCH-001,d@s.example,30.02.2026\n';
    expect((await imp.run('contacts', bad, { dateFormat: 'DD.MM.YYYY' })).errors).toEqual([
      expect.stringMatching(
        /:2: invited_at: "2026\/01\/31": must be a date in the form YYYY-MM-DD \(--date-format DD\.MM\.YYYY: dates are DD\.MM\.YYYY or YYYY-MM-DD\)$/,
      ),
      expect.stringMatching(/:3: invited_at: "30\.02\.2026": is not a real calendar date$/),
    ]);
    // a timestamp on a day that does not exist is called that, not a malformed timestamp
    const ts = await imp.run('contacts', 'account_external_id,email,last_login_at\nSCH-001,e@s.example,2026-02-29T10:00:00Z\n');
    expect(ts.errors).toEqual([expect.stringMatching(/:2: last_login_at: "2026-02-29T10:00:00Z": is not a real calendar date$/)]);
  });

  it('seats and logins: last_login_at never moves backwards; a seat needs a contact of the account', async () => {
    await loadAll(t);
    await imp.run('seats', 'subscription_external_id,email,last_login_at\nSUB-2,maria@school.example,2025-01-01T00:00:00Z\n');
    const seat = await t.db.selectFrom('seats').select('last_login_at').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(seat.last_login_at).toBe('2026-03-05T07:00:00Z');
    const out = await imp.run('seats', 'subscription_external_id,email\nSUB-2,boss@acme.example\n');
    expect(out.errors[0]).toMatch(/email: "boss@acme.example": is not a contact of account SCH-001/);
  });
});

describe('import undo and history', () => {
  it('removes inserted rows and restores updated ones in one go', async () => {
    await imp.run('managers', MANAGERS);
    const before = await imp.snapshot();
    const later = testOp({ now: '2026-11-26T10:00:00Z' });
    const out = await imp.run('managers', 'login,name,email\nakowalski,Anna K.,anna@v.example\nnew,New,new@v.example\n', {}, later);
    expect(out.summary).toMatchObject({ inserted: 1, updated: 1 });
    const { undoBatch, importHistory } = await import('../../src/import/undo.js');
    const res = await undoBatch(t.db, t.handle, testOp({ now: '2026-11-26T11:00:00Z' }), out.summary.batch_id!);
    expect(res).toEqual({ batch_id: out.summary.batch_id, deleted: 1, restored: 1 });
    const after = await imp.snapshot();
    expect(after.managers).toEqual(before.managers);
    const hist = await importHistory(t.db);
    expect(hist.map((h) => [h.batch_id, h.status])).toEqual([
      [2, 'undone'],
      [1, 'applied'],
    ]);
    await expect(undoBatch(t.db, t.handle, testOp(), 2)).rejects.toThrow('already undone');
  });

  it('refuses, naming the rows, when a later change touched them', async () => {
    await loadAll(t);
    const { undoBatch } = await import('../../src/import/undo.js');
    const later = testOp({ now: '2026-11-27T08:00:00Z' });
    await t.db.updateTable('accounts').set({ region: 'X', updated_at: later.now }).where('external_id', '=', 'SCH-002').execute();
    await t.db
      .insertInto('contacts')
      .values({
        account_id: 1,
        email: 'late@s.example',
        email_key: 'late@s.example',
        role: 'other',
        is_primary: 0,
        status: 'invited',
        created_at: later.now,
        updated_at: later.now,
      })
      .execute();
    const before = await imp.snapshot();
    await expect(undoBatch(t.db, t.handle, later, 1)).rejects.toThrow(
      /accounts changed since: SCH-002[\s\S]*accounts SCH-002: referred to by contacts added since/,
    );
    expect(await imp.snapshot()).toEqual(before);
  });
});
