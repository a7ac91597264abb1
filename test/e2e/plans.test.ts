import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';

let db: string;
const run = (...args: string[]) => runCli(args, { db });

/** Each test starts from a copy of one of these: product EDIARY with plan ED-BASIC; then product BIO; then plan BIO-TUTOR and ED-BASIC's prices. */
const given = dbFiles();
const withBasic = given.template(async (at) => {
  db = at;
  expect(await run('products', 'add', '--code', 'EDIARY', '--name', 'E-diary')).toMatchObject({ code: 0, stdout: 'EDIARY\n' });
  expect(
    await run(
      'plans',
      'add',
      '--product',
      'ediary',
      '--code',
      'ED-BASIC',
      '--name',
      'Basic',
      '--currency',
      'eur',
      '--modules',
      'grades;attendance',
    ),
  ).toMatchObject({
    code: 0,
    stdout: 'ED-BASIC\n',
  });
});
const withBio = given.template(async (at) => {
  db = at;
  expect((await run('products', 'add', '--code', 'BIO', '--name', 'Biology')).code).toBe(0);
}, withBasic);
/** ED-BASIC: ≤100 475.50 and ≤300 700.00 and any size 900.00 for 12 months, ≤100 810.00 for 24; BIO-TUTOR: no prices. */
const withPrices = given.template(async (at) => {
  db = at;
  for (const args of [
    ['plans', 'add', '--product', 'BIO', '--code', 'BIO-TUTOR', '--name', 'Tutor', '--currency', 'EUR'],
    ['plans', 'price', 'ED-BASIC', '--max-students', '300', '--term', '12', '--amount', '700'],
    ['plans', 'price', 'ED-BASIC', '--max-students', '100', '--term', '12', '--amount', '475.5'],
    ['plans', 'price', 'ED-BASIC', '--term', '12', '--amount', '900'],
    ['plans', 'price', 'ED-BASIC', '--max-students', '100', '--term', '24', '--amount', '810'],
  ]) {
    const r = await run(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, withBio);

describe('acctmgr products (end to end)', () => {
  it('add/list/show/edit with --json shapes, CSV columns and exit codes', async () => {
    db = await withBasic();
    expect(await runJson(['products', 'add', '--code', 'BIO', '--name', 'Biology'], { db })).toEqual({ code: 'BIO', name: 'Biology' });
    expect(await runJson(['products', 'list'], { db })).toEqual([
      { code: 'BIO', name: 'Biology' },
      { code: 'EDIARY', name: 'E-diary' },
    ]);
    expect((await run('products', 'list', '--format', 'csv')).stdout).toBe('code,name\nBIO,Biology\nEDIARY,E-diary\n');
    const shown = await runJson<{ plans: unknown[] }>(['products', 'show', 'ediary'], { db });
    expect(shown).toEqual({
      code: 'EDIARY',
      name: 'E-diary',
      plans: [
        {
          code: 'ED-BASIC',
          name: 'Basic',
          product: 'EDIARY',
          currency: 'EUR',
          modules: ['grades', 'attendance'],
          legacy: false,
          sessions_per_week: 2,
          sessions_per_month: 5,
          trainings_per_year: 1,
          included_training_credits: 0,
        },
      ],
    });
    expect(await runJson(['products', 'edit', 'bio', '--name', 'Biology site'], { db })).toEqual({ code: 'BIO', name: 'Biology site' });

    const dup = await run('products', 'add', '--code', 'bio', '--name', 'x');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('code "bio" is already used by product BIO');
    expect((await run('products', 'show', 'NOPE')).code).toBe(1);
    const missing = await run('products', 'add', '--code', 'X');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name');
    expect((await run('products', 'edit', 'BIO')).code).toBe(2);
  });
});

describe('acctmgr plans (end to end)', () => {
  it('add/list/show/edit: JSON shapes, filters, code unique across products, bad currency exit 1', async () => {
    db = await withBio();
    const tutor = await runJson(['plans', 'add', '--product', 'BIO', '--code', 'BIO-TUTOR', '--name', 'Tutor', '--currency', 'EUR'], {
      db,
    });
    expect(tutor).toEqual({
      code: 'BIO-TUTOR',
      name: 'Tutor',
      product: 'BIO',
      currency: 'EUR',
      modules: [],
      legacy: false,
      sessions_per_week: 2,
      sessions_per_month: 5,
      trainings_per_year: 1,
      included_training_credits: 0,
    });
    const dup = await run('plans', 'add', '--product', 'BIO', '--code', 'ed-basic', '--name', 'B', '--currency', 'EUR');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('is already used by plan ED-BASIC of product EDIARY');
    const cur = await run('plans', 'add', '--product', 'BIO', '--code', 'X', '--name', 'X', '--currency', 'EURO');
    expect(cur.code).toBe(1);
    expect(cur.stderr).toContain('currency: "EURO": must be a three-letter ISO 4217 code');
    expect((await run('plans', 'add', '--product', 'NOPE', '--code', 'X', '--name', 'X', '--currency', 'EUR')).code).toBe(1);

    expect((await runJson<{ code: string }[]>(['plans', 'list', '--product', 'BIO'], { db })).map((p) => p.code)).toEqual(['BIO-TUTOR']);
    const csv = await run('plans', 'list', '--format', 'csv', '--product', 'EDIARY');
    expect(csv.stdout).toBe(
      'code,name,product,currency,modules,legacy,sessions_per_week,sessions_per_month,trainings_per_year,included_training_credits\nED-BASIC,Basic,EDIARY,EUR,grades;attendance,false,2,5,1,0\n',
    );
    expect((await run('plans', 'list', '--legacy', '--current')).code).toBe(2);

    const edited = await runJson(['plans', 'edit', 'bio-tutor', '--modules', 'lessons;quizzes'], { db });
    expect(edited).toMatchObject({ code: 'BIO-TUTOR', modules: ['lessons', 'quizzes'] });
    expect((await run('plans', 'edit', 'BIO-TUTOR', '--currency', 'USD')).code).toBe(2);
  });

  it('price adds/changes rows (audited), show sorts the table; bad values exit 2 or 1', async () => {
    db = await withBasic();
    expect(await run('plans', 'price', 'ED-BASIC', '--max-students', '300', '--term', '12', '--amount', '700')).toMatchObject({
      code: 0,
      stdout: 'ED-BASIC\n',
    });
    expect(await runJson(['plans', 'price', 'ed-basic', '--max-students', '100', '--term', '12', '--amount', '450.00'], { db })).toEqual({
      plan: 'ED-BASIC',
      max_students: 100,
      term_months: 12,
      amount: '450.00',
    });
    const changed = await run('plans', 'price', 'ED-BASIC', '--max-students', '100', '--term', '12', '--amount', '475.5');
    expect(changed.stderr).toContain('(was 450.00)');
    expect((await run('plans', 'price', 'ED-BASIC', '--term', '12', '--amount', '900')).code).toBe(0);
    expect((await run('plans', 'price', 'ED-BASIC', '--max-students', '100', '--term', '24', '--amount', '810')).code).toBe(0);

    const shown = await runJson<{ prices: unknown[] }>(['plans', 'show', 'ED-BASIC'], { db });
    expect(shown).toMatchObject({ code: 'ED-BASIC', product: 'EDIARY', currency: 'EUR', modules: ['grades', 'attendance'], legacy: false });
    expect(shown.prices).toEqual([
      { max_students: 100, term_months: 12, amount: '475.50' },
      { max_students: 300, term_months: 12, amount: '700.00' },
      { max_students: null, term_months: 12, amount: '900.00' },
      { max_students: 100, term_months: 24, amount: '810.00' },
    ]);
    const table = await run('plans', 'show', 'ED-BASIC');
    // piped: the plan as key<TAB>value lines, then its price rows as tab-separated lines under their header
    expect(table.stdout).toMatch(/^code\tED-BASIC$/m);
    expect(table.stdout).toMatch(/^term_months\tmax_students\tamount\n(.*\n)*12\tany\t900\.00$/m);

    const audit = await runJson<{ action: string; key: string; before: unknown; after: unknown }[]>(['audit', '--entity', 'price'], { db });
    expect(audit.find((a) => a.action === 'edit')).toMatchObject({
      key: 'ED-BASIC/12/100',
      before: { amount: '450.00' },
      after: { amount: '475.50' },
    });

    const notInt = await run('plans', 'price', 'ED-BASIC', '--max-students', '10.5', '--term', '12', '--amount', '1');
    expect(notInt.code).toBe(2);
    expect(notInt.stderr).toContain('"10.5" is not a whole number');
    expect((await run('plans', 'price', 'ED-BASIC', '--term', '12')).code).toBe(2);
    const amount = await run('plans', 'price', 'ED-BASIC', '--term', '12', '--amount', '4.999');
    expect(amount.code).toBe(1);
    expect(amount.stderr).toContain('amount: "4.999"');
    const term = await run('plans', 'price', 'ED-BASIC', '--term', '6', '--amount', '4');
    expect(term.code).toBe(1);
    expect(term.stderr).toContain('term_months: "6": must be 12 or 24');
    expect((await run('plans', 'price', 'NOPE', '--term', '12', '--amount', '4')).code).toBe(1);
  });

  it('quote uses the price table at tier boundaries and names the missing term', async () => {
    db = await withPrices();
    expect((await run('plans', 'quote', 'ED-BASIC', '--students', '100', '--term', '12')).stdout).toBe('475.50 EUR\n');
    expect((await run('plans', 'quote', 'ED-BASIC', '--students', '101', '--term', '12')).stdout).toBe('700.00 EUR\n');
    expect(await runJson(['plans', 'quote', 'ED-BASIC', '--students', '5000', '--term', '12'], { db })).toEqual({
      plan: 'ED-BASIC',
      product: 'EDIARY',
      students: 5000,
      term_months: 12,
      amount: '900.00',
      currency: 'EUR',
      legacy: false,
    });
    const big = await run('plans', 'quote', 'ED-BASIC', '--students', '101', '--term', '24');
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('its largest tier is 100 students');
    const noTerm = await run('plans', 'quote', 'BIO-TUTOR', '--students', '1', '--term', '12');
    expect(noTerm.code).toBe(1);
    expect(noTerm.stderr).toContain('its price table is empty');
    expect((await run('plans', 'quote', 'ED-BASIC', '--students', 'many', '--term', '12')).code).toBe(2);
  });

  it('retire is destructive: refused without --yes, then sets legacy; remove of a price row too', async () => {
    db = await withPrices();
    const refused = await run('plans', 'retire', 'ED-BASIC');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await runJson<{ legacy: boolean }>(['plans', 'show', 'ED-BASIC'], { db })).legacy).toBe(false);
    expect(await run('plans', 'retire', 'ed-basic', '--yes')).toMatchObject({ code: 0, stdout: 'ED-BASIC\n' });
    expect((await runJson<{ code: string }[]>(['plans', 'list', '--legacy'], { db })).map((p) => p.code)).toEqual(['ED-BASIC']);
    expect((await runJson<{ code: string }[]>(['plans', 'list', '--current'], { db })).map((p) => p.code)).toEqual(['BIO-TUTOR']);
    const quote = await run('plans', 'quote', 'ED-BASIC', '--students', '1', '--term', '12');
    expect(quote).toMatchObject({ code: 0, stdout: '475.50 EUR\n' });
    expect(quote.stderr).toContain('plan ED-BASIC is retired');
    const audit = await runJson<{ action: string; key: string }[]>(['audit', '--entity', 'plan'], { db });
    expect(audit.at(-1)).toMatchObject({ action: 'retire', key: 'ED-BASIC' });

    expect((await run('plans', 'price', 'ED-BASIC', '--term', '24', '--max-students', '100', '--remove')).code).toBe(2);
    expect(await runJson(['plans', 'price', 'ED-BASIC', '--term', '24', '--max-students', '100', '--remove', '--yes'], { db })).toEqual({
      plan: 'ED-BASIC',
      max_students: 100,
      term_months: 24,
      amount: '810.00',
    });
    const gone = await run('plans', 'quote', 'ED-BASIC', '--students', '1', '--term', '24');
    expect(gone.stderr).toContain('no price for a 24-month term: it has prices for 12 months only');
  });
});
