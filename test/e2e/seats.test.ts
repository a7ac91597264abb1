import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';

type Json = Record<string, unknown>;
let db: string;
const SEAT_KEYS = [
  'subscription_external_id',
  'email',
  'status',
  'invited_at',
  'last_login_at',
  'name',
  'account_external_id',
  'removed_at',
];

async function ok(args: string[]): Promise<void> {
  const r = await runCli(args, { db });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
}

/**
 * Each test starts from a copy of one of these: the standard set with subscription S1 of SCH-1; then
 * seats for maria (invited 2026-05-01) and ivan; then maria's login on 2026-10-01 and ivan's on 2026-11-20.
 */
const given = dbFiles();
const withSubscription = given.template(async (at) => {
  await seededDb(async (t) => {
    const op = { actor: 'seed', asOf: '2026-11-25', today: '2026-11-25', now: '2026-11-25T00:00:00Z' };
    await t.seed.seatSet(op);
  }, at);
});
const withSeats = given.template(async (at) => {
  db = at;
  await ok(['seats', 'add', 'Maria@School.example', '--subscription', 's1', '--name', 'Maria Petrova', '--invited-at', '2026-05-01']);
  await ok(['seats', 'add', 'ivan@school.example', '--subscription', 'S1']);
}, withSubscription);
const withLogins = given.template(async (at) => {
  db = at;
  await ok(['seats', 'login', 'maria@school.example', '--subscription', 'S1', '--at', '2026-10-01T10:00:00+02:00']);
  await ok(['seats', 'login', 'ivan@school.example', '--subscription', 'S1', '--as-of', '2026-11-20']);
}, withSeats);

describe('acctmgr seats (end to end)', () => {
  it('add prints SUB/EMAIL, creates the contact; --json shape; duplicates exit 1; missing --subscription exits 2', async () => {
    db = await withSubscription();
    const r = await runCli(
      ['seats', 'add', 'Maria@School.example', '--subscription', 's1', '--name', 'Maria Petrova', '--invited-at', '2026-05-01'],
      { db },
    );
    expect(r).toMatchObject({ code: 0, stdout: 'S1/maria@school.example\n' });
    const j = await runJson<Json>(['seats', 'add', 'ivan@school.example', '--subscription', 'S1'], { db });
    expect(Object.keys(j)).toEqual(SEAT_KEYS);
    expect(j).toMatchObject({
      status: 'invited',
      invited_at: '2026-11-25',
      last_login_at: null,
      name: null,
      account_external_id: 'SCH-1',
      removed_at: null,
    });
    const contact = await runJson<Json>(['contacts', 'show', 'maria@school.example', '--account', 'SCH-1'], { db });
    expect(contact).toMatchObject({ name: 'Maria Petrova', role: 'teacher' });
    expect((await runCli(['seats', 'add', 'maria@school.example', '--subscription', 'S1'], { db })).code).toBe(1);
    expect((await runCli(['seats', 'add', 'maria@school.example'], { db })).code).toBe(2);
    expect((await runCli(['seats', 'add', 'x@y.example', '--subscription', 'NOPE'], { db })).code).toBe(1);
    expect((await runCli(['seats', 'add', 'x@y.example', '--subscription', 'S1', '--invited-at', 'May'], { db })).code).toBe(2);
  });

  it('login records an event (idempotent per timestamp) and moves last_login_at forward', async () => {
    db = await withSeats();
    const at = ['--subscription', 'S1', '--at', '2026-10-01T10:00:00+02:00'];
    expect(await runCli(['seats', 'login', 'maria@school.example', ...at], { db })).toMatchObject({
      code: 0,
      stdout: 'S1/maria@school.example\n',
    });
    const again = await runJson<Json>(['seats', 'login', 'maria@school.example', ...at], { db });
    expect(again).toMatchObject({ status: 'active', last_login_at: '2026-10-01T08:00:00Z' });
    const older = await runJson<Json>(['seats', 'login', 'maria@school.example', '--subscription', 'S1', '--at', '2026-09-01T08:00:00Z'], {
      db,
    });
    expect(older.last_login_at).toBe('2026-10-01T08:00:00Z');
    expect((await runCli(['seats', 'login', 'maria@school.example', '--subscription', 'S1', '--at', 'yesterday'], { db })).code).toBe(2);
    expect(
      (await runCli(['seats', 'login', 'maria@school.example', '--subscription', 'S1', '--at', '2026-02-30T08:00:00Z'], { db })).code,
    ).toBe(1);
    expect((await runCli(['seats', 'login', 'nobody@school.example', '--subscription', 'S1'], { db })).code).toBe(1);
    const now = await runJson<Json>(['seats', 'login', 'ivan@school.example', '--subscription', 'S1', '--as-of', '2026-11-20'], { db });
    expect(now.last_login_at).toBe('2026-11-20T00:00:00Z');
  });

  it('list filters by subscription, account and --idle-since; JSON and CSV', async () => {
    db = await withLogins();
    const all = await runJson<Json[]>(['seats', 'list', '--subscription', 'S1'], { db });
    expect(all.map((s) => s.email)).toEqual(['ivan@school.example', 'maria@school.example']);
    expect(await runJson<Json[]>(['seats', 'list', '--account', 'SCH-2'], { db })).toEqual([]);
    const idle = await runJson<Json[]>(['seats', 'list', '--idle-since', '2026-11-01'], { db });
    expect(idle.map((s) => s.email)).toEqual(['maria@school.example']);
    const csv = await runCli(['seats', 'list', '--format', 'csv'], { db });
    expect(csv.stdout.split('\n')[0]).toBe(SEAT_KEYS.join(','));
    expect((await runCli(['seats', 'list', '--idle-since', '2026-11-31'], { db })).code).toBe(1);
    expect((await runCli(['seats', 'list', '--idle-since', 'soon'], { db })).code).toBe(2);
    const show = await runJson<Json>(['subscriptions', 'show', 'S1'], { db });
    expect(show.seats_in_use).toBe(2);
  });

  it('remove needs --yes; the seat is kept as removed and no longer listed; --status removed lists it with the day of its removal', async () => {
    db = await withSeats();
    expect((await runCli(['seats', 'remove', 'ivan@school.example', '--subscription', 'S1'], { db })).code).toBe(2);
    expect(
      await runCli(['seats', 'remove', 'ivan@school.example', '--subscription', 'S1', '--yes', '--as-of', '2026-11-27'], { db }),
    ).toMatchObject({
      code: 0,
      stdout: 'S1/ivan@school.example\n',
    });
    expect((await runJson<Json[]>(['seats', 'list'], { db })).map((s) => s.email)).toEqual(['maria@school.example']);
    const removed = await runJson<Json[]>(['seats', 'list', '--status', 'removed'], { db });
    expect(removed).toEqual([expect.objectContaining({ email: 'ivan@school.example', status: 'removed', removed_at: '2026-11-27' })]);
    // the piped table and CSV show it too; the list of seats not removed has no such column in its table
    const table = await runCli(['seats', 'list', '--status', 'removed'], { db });
    expect(table.stdout.split('\n')[0]!.split('\t')).toEqual([
      'subscription_external_id',
      'email',
      'name',
      'status',
      'invited_at',
      'last_login_at',
      'removed_at',
    ]);
    expect(table.stdout.split('\n')[1]!.split('\t').at(-1)).toBe('2026-11-27');
    const csv = (await runCli(['seats', 'list', '--status', 'removed', '--format', 'csv'], { db })).stdout.split('\n');
    expect(csv[0]!.split(',').at(-1)).toBe('removed_at');
    expect(csv[1]!.split(',').at(-1)).toBe('2026-11-27');
    expect((await runCli(['seats', 'list'], { db })).stdout.split('\n')[0]).not.toContain('removed_at');
    expect((await runCli(['seats', 'remove', 'ivan@school.example', '--subscription', 'S1', '--yes'], { db })).code).toBe(1);
  });
});
