import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';

type Json = Record<string, unknown>;
let db: string;
const SUB_KEYS = [
  'external_id',
  'account_external_id',
  'product',
  'plan',
  'students',
  'term_months',
  'start_date',
  'end_date',
  'status',
  'base_status',
  'manager_login',
  'price',
  'currency',
  'paid_at',
  'activation_code',
  'renewed_from_external_id',
];

const add = (...extra: string[]) =>
  runCli(
    [
      'subscriptions',
      'add',
      '--account-external-id',
      'SCH-1',
      '--plan',
      'BIO-BASIC',
      '--students',
      '150',
      '--term-months',
      '12',
      '--start-date',
      '2026-01-15',
      ...extra,
    ],
    { db },
  );

async function ok(args: string[]): Promise<void> {
  const r = await runCli(args, { db });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
}

/**
 * Each test starts from a copy of one of these: the standard set; then SUB-000001 and S-JSON of SCH-1
 * (150 students, 12 months from 2026-01-15); then both paid; then SUB-000001 renewed by bob for 24
 * months (SUB-000003).
 */
const given = dbFiles();
const withCatalogue = given.template(async (at) => {
  await seededDb((t) => t.seed.standardSet({ actor: 'seed', asOf: '2026-11-25', today: '2026-11-25', now: '2026-11-25T00:00:00Z' }), at);
});
const withSubscriptions = given.template(async (at) => {
  db = at;
  expect((await add()).code).toBe(0);
  expect((await add('--external-id', 'S-JSON')).code).toBe(0);
}, withCatalogue);
const withPaid = given.template(async (at) => {
  db = at;
  await ok(['subscriptions', 'pay', 'sub-000001', '--paid-at', '2026-01-10']);
  await ok(['subscriptions', 'pay', 'S-JSON']);
}, withSubscriptions);
const withRenewal = given.template(async (at) => {
  db = at;
  await ok(['subscriptions', 'renew', 'SUB-000001', '--by', 'bob', '--term', '24']);
}, withPaid);

describe('acctmgr subscriptions (end to end)', () => {
  it('add prints the key, --json the record as show prints it; usage errors exit 2, rule errors exit 1', async () => {
    db = await withCatalogue();
    expect(await add()).toMatchObject({ code: 0, stdout: 'SUB-000001\n' });
    const r = await add('--external-id', 'S-JSON', '--json');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as Json;
    expect(Object.keys(rec)).toEqual([...SUB_KEYS, 'renewal_chain', 'seats_in_use', 'seats', 'history']);
    expect(rec).toMatchObject({
      external_id: 'S-JSON',
      end_date: '2027-01-14',
      price: '800.00',
      status: 'unpaid',
      manager_login: 'anna',
      paid_at: null,
    });
    const missing = await runCli(['subscriptions', 'add', '--plan', 'BIO-BASIC'], { db });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--account-external-id, --students, --term-months, --start-date');
    expect((await add('--students', 'many')).code).toBe(2);
    expect((await add('--start-date', '15.01.2026')).code).toBe(2);
    const bad = await add('--start-date', '2026-02-30');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('start_date: "2026-02-30": is not a real calendar date');
    const legacy = await add('--plan', 'BIO-OLD');
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain('BIO-OLD is retired');
    expect(legacy.stderr).toContain('BIO-BASIC, BIO-MAX, BIO-TUTOR');
    expect((await add('--term-months', '6')).code).toBe(1);
    expect((await add('--price', '1.00')).code).toBe(2);
  });

  it('pay generates an activation code once; paying again exits 1', async () => {
    db = await withSubscriptions();
    expect(await runCli(['subscriptions', 'pay', 'sub-000001', '--paid-at', '2026-01-10'], { db })).toMatchObject({
      code: 0,
      stdout: 'SUB-000001\n',
    });
    const again = await runCli(['subscriptions', 'pay', 'SUB-000001'], { db });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already paid');
    const paid = await runJson<Json>(['subscriptions', 'pay', 'S-JSON'], { db });
    expect(paid.paid_at).toBe('2026-11-25');
    expect(paid.activation_code).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect((await runCli(['subscriptions', 'pay', 'NOPE'], { db })).code).toBe(1);
  });

  it('list and show: displayed status for --as-of, filters, JSON and CSV', async () => {
    db = await withPaid();
    const list = await runJson<Json[]>(['subscriptions', 'list'], { db });
    expect(list.map((s) => [s.external_id, s.status])).toEqual([
      ['S-JSON', 'active'],
      ['SUB-000001', 'active'],
    ]);
    expect(Object.keys(list[0]!)).toEqual(SUB_KEYS);
    const later = await runJson<Json[]>(['subscriptions', 'list', '--as-of', '2026-12-10', '--status', 'expiring'], { db });
    expect(later).toHaveLength(2);
    expect(await runJson<Json[]>(['--as-of', '2027-01-15', 'subscriptions', 'list', '--status', 'expired'], { db })).toHaveLength(2);
    expect(await runJson<Json[]>(['subscriptions', 'list', '--manager', 'bob'], { db })).toEqual([]);
    expect(
      await runJson<Json[]>(
        ['subscriptions', 'list', '--ending-within', '50', '--plan', 'bio-basic', '--product', 'BIO', '--account', 'sch-1'],
        { db },
      ),
    ).toHaveLength(2);
    expect(await runJson<Json[]>(['subscriptions', 'list', '--ending-before', '2027-01-14'], { db })).toEqual([]);
    // activation codes are in JSON only: never in the CSV nor in the table (docs/subscriptions.md)
    const codes = list.map((s) => s.activation_code as string);
    expect(codes.every((c) => /^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/.test(c))).toBe(true);
    const csv = await runCli(['subscriptions', 'list', '--format', 'csv'], { db });
    expect(csv.stdout.split('\n')[0]).toBe(SUB_KEYS.filter((k) => k !== 'activation_code').join(','));
    const piped = await runCli(['subscriptions', 'list'], { db });
    for (const code of codes) {
      expect(csv.stdout).not.toContain(code);
      expect(piped.stdout).not.toContain(code);
    }
    expect((await runCli(['subscriptions', 'list', '--status', 'bogus'], { db })).code).toBe(1);
    expect((await runCli(['subscriptions', 'list', '--ending-within', 'soon'], { db })).code).toBe(2);
    const show = await runJson<Json>(['subscriptions', 'show', 'SUB-000001', '--as-of', '2026-12-10'], { db });
    expect(show).toMatchObject({ status: 'expiring', seats_in_use: 0, seats: [] });
    expect((show.history as Json[]).map((h) => h.event)).toEqual(['add', 'pay']);
    const table = await runCli(['subscriptions', 'show', 'SUB-000001'], { db });
    expect(table.stdout).toContain('renewal_chain');
    expect((await runCli(['subscriptions', 'show', 'NOPE'], { db })).code).toBe(1);
  });

  it('upgrade quotes without --apply, applies with it, refuses downgrades and dates outside the term', async () => {
    db = await withPaid();
    const quote = await runJson<Json>(['subscriptions', 'upgrade', 'SUB-000001', '--plan', 'BIO-MAX'], { db });
    expect(quote).toMatchObject({
      old_price: '800.00',
      new_price: '1000.00',
      remaining_days: 51,
      term_days: 365,
      charge: '27.95',
      currency: 'EUR',
    });
    const text = await runCli(['subscriptions', 'upgrade', 'SUB-000001', '--plan', 'BIO-MAX', '--as-of', '2026-01-15'], { db });
    expect(text.stdout).toMatch(/^charge\t200\.00$/m);
    const applied = await runCli(['subscriptions', 'upgrade', 'S-JSON', '--plan', 'BIO-MAX', '--apply', '--json'], { db });
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ external_id: 'S-JSON', plan: 'BIO-MAX', price: '1000.00', end_date: '2027-01-14' });
    expect(applied.stderr).toContain('charge 27.95 EUR for 51 of 365 days');
    const down = await runCli(['subscriptions', 'upgrade', 'S-JSON', '--plan', 'BIO-BASIC'], { db });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('takes effect at renewal');
    expect((await runCli(['subscriptions', 'upgrade', 'SUB-000001', '--plan', 'BIO-MAX', '--as-of', '2027-01-15'], { db })).code).toBe(1);
    expect((await runCli(['subscriptions', 'upgrade', 'SUB-000001'], { db })).code).toBe(2);
  });

  it('renew prints the successor; --by moves subscription and account; renewing twice or a cancelled one exits 1', async () => {
    db = await withPaid();
    const r = await runCli(['subscriptions', 'renew', 'SUB-000001', '--by', 'bob', '--term', '24'], { db });
    expect(r).toMatchObject({ code: 0, stdout: 'SUB-000003\n' });
    const next = await runJson<Json>(['subscriptions', 'show', 'SUB-000003'], { db });
    expect(next).toMatchObject({
      start_date: '2027-01-15',
      end_date: '2029-01-14',
      manager_login: 'bob',
      price: '1400.00',
      renewed_from_external_id: 'SUB-000001',
    });
    expect((next.renewal_chain as Json[]).map((c) => c.relation)).toEqual(['predecessor', 'this']);
    const audit = await runJson<Json[]>(['audit', '--entity', 'account'], { db });
    expect(audit.at(-1)).toMatchObject({ action: 'reassign', key: 'SCH-1' });
    const twice = await runCli(['subscriptions', 'renew', 'SUB-000001'], { db });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already renewed by SUB-000003');
    expect((await runCli(['subscriptions', 'renew', 'SUB-000003', '--term', 'x'], { db })).code).toBe(2);
  });

  it('cancel needs --yes when not on a terminal; then the status is cancelled and renewal is refused', async () => {
    db = await withRenewal();
    const no = await runCli(['subscriptions', 'cancel', 'SUB-000003'], { db });
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('--yes');
    expect(await runCli(['subscriptions', 'cancel', 'SUB-000003', '--yes'], { db })).toMatchObject({ code: 0, stdout: 'SUB-000003\n' });
    expect((await runJson<Json>(['subscriptions', 'show', 'SUB-000003'], { db })).status).toBe('cancelled');
    expect((await runJson<Json>(['subscriptions', 'show', 'SUB-000001'], { db })).status).toBe('active');
    expect((await runCli(['subscriptions', 'renew', 'SUB-000003'], { db })).code).toBe(1);
    expect((await runCli(['subscriptions', 'cancel', 'SUB-000003', '--yes'], { db })).code).toBe(1);
  });
});
