/**
 * Rules that read before they write hold when commands truly run at the same time, in separate
 * processes on separate connections: writers queue (src/db/tx.ts: BEGIN IMMEDIATE on SQLite, an
 * advisory lock on PostgreSQL) and each re-reads inside its own transaction. The worst overlap is
 * forced: another connection holds the write lock until every process has started and waits for it.
 */
import { sql } from '#kysely';
import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson, spawnCli, type CliResult } from '../helpers/cli.js';
import { holdWriteLock, openTestDb, seededDb } from '../helpers/db.js';
import { itPostgres } from '../helpers/engine.js';

const given = dbFiles();

/** Exactly one of the results succeeded; the others exit 1 with `message`. */
function expectOneWinner(results: CliResult[], message: string): void {
  const all = results.map((r) => `exit ${r.code}: ${r.stderr}`).join('\n');
  expect(
    results.filter((r) => r.code === 0),
    all,
  ).toHaveLength(1);
  for (const r of results.filter((x) => x.code !== 0)) {
    expect(r.code, all).toBe(1);
    expect(r.stderr, all).toContain(message);
  }
}

/** `contacts add` of a new primary contact of SCH-1 (the i-th of those racing). */
function newPrimary(i: number): string[] {
  const add = ['contacts', 'add', '--account-external-id', 'SCH-1', '--name', `New ${i}`, '--email', `new${i}@school.example`];
  return [...add, '--role', 'teacher', '--is-primary'];
}

describe('commands racing from several processes (end to end)', () => {
  // processes: each its own connection, all waiting on the write lock at once
  it('one wins the last slot (the 5th primary contact, one of two overlapping leaves, one successor per subscription, a key four logins fold to, the last fair-use slot of a week); invoice numbers stay gap-free', async () => {
    const db = await seededDb(async ({ db: d, seed }) => {
      const anna = await seed.manager('anna');
      await seed.manager('ben');
      const account = await seed.account('SCH-1', { manager: anna });
      for (let i = 1; i <= 4; i++) await seed.contact(account, `p${i}@school.example`, { is_primary: true });
      const sub = await seed.subscription('SUB-1', { account, end_date: '2026-12-31' });
      for (let i = 2; i <= 5; i++) await seed.subscription(`SUB-${i}`, { account, end_date: '2027-08-31' });
      const { plan_id } = await d.selectFrom('subscriptions').select('plan_id').where('id', '=', sub).executeTakeFirstOrThrow();
      const at = '2026-01-01T00:00:00Z';
      await d
        .insertInto('plan_prices')
        .values({ plan_id, max_students: null, term_months: 12, amount_cents: 80_000, created_at: at, updated_at: at })
        .execute();
      const web = await seed.account('SCH-2', { manager: anna });
      await seed.subscription('SUB-W', { account: web, start_date: '2026-09-01', end_date: '2027-08-31' });
    }, given.fresh());
    // the week's first web session at SCH-2 (its plan allows two a week)
    const first = await runCli(
      ['activities', 'add', '--account', 'SCH-2', '--kind', 'web_session', '--subject', 's', '--at', '2026-11-30T10:00:00Z'],
      {
        db,
      },
    );
    expect(first.code, first.stderr).toBe(0);
    const release = await holdWriteLock(db);
    const run = (args: string[]) => spawnCli(args, { db });
    const contacts = [1, 2, 3, 4].map((i) => run(newPrimary(i)));
    const leaves = [
      run(['managers', 'leave', 'anna', '--backup', 'ben', '--from', '2026-12-01', '--until', '2026-12-31']),
      run(['managers', 'leave', 'anna', '--backup', 'ben', '--from', '2026-12-15', '--until', '2027-01-15']),
    ];
    const renewals = [run(['subscriptions', 'renew', 'SUB-1']), run(['subscriptions', 'renew', 'SUB-1'])];
    // four invoices issued at the same moment: a database sequence would not be gap-free
    const invoices = [2, 3, 4, 5].map((i) => run(['invoices', 'issue', '--subscription', `SUB-${i}`, '--json']));
    const logins = ['cleo', 'CLEO', 'Cleo', 'cleO'].map((login, i) =>
      run(['managers', 'add', '--login', login, '--name', `Cleo ${i}`, '--email', `cleo${i}@vendor.example`]),
    );
    const sessions = [1, 2, 3, 4].map((day) =>
      run([
        'activities',
        'add',
        '--account',
        'SCH-2',
        '--kind',
        'web_session',
        '--subject',
        `s${day}`,
        '--at',
        `2026-12-0${day}T10:00:00Z`,
      ]),
    );
    // every process started and waits for the lock (a process takes well under this to start)
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await release();

    expectOneWinner(await Promise.all(contacts), 'account SCH-1 already has 5 primary contacts (the limit is 5)');
    expectOneWinner(await Promise.all(leaves), 'anna already has a leave from');
    expectOneWinner(await Promise.all(renewals), 'subscription SUB-1 is already renewed by');
    expectOneWinner(await Promise.all(logins), 'is already used by manager');
    expectOneWinner(await Promise.all(sessions), 'fair use: SCH-2 already has 2 web sessions in the week of 2026-11-30 (limit 2)');
    const issued = await Promise.all(invoices);
    for (const r of issued) expect(r.code, r.stderr).toBe(0);
    const numbers = issued.map((r) => (JSON.parse(r.stdout) as { number: string }).number).sort();
    expect(numbers).toEqual(['INV-2026-00001', 'INV-2026-00002', 'INV-2026-00003', 'INV-2026-00004']);

    const primary = await runJson<unknown[]>(['contacts', 'list', '--account', 'SCH-1', '--primary'], { db });
    expect(primary).toHaveLength(5);
    const subs = await runJson<{ external_id: string }[]>(['subscriptions', 'list', '--account', 'SCH-1'], { db });
    expect(subs).toHaveLength(6);
    const managers = await runJson<{ login: string }[]>(['managers', 'list'], { db });
    expect(managers.filter((m) => m.login.toLowerCase() === 'cleo')).toHaveLength(1);
  });

  // a database whose default is a stricter isolation level: each write still sees what the writer before it committed
  itPostgres(
    'PostgreSQL: the rule holds on a database whose default isolation is REPEATABLE READ (writers run at READ COMMITTED)',
    async () => {
      const db = await seededDb(async ({ db: d, seed }) => {
        const anna = await seed.manager('anna');
        const account = await seed.account('SCH-1', { manager: anna });
        for (let i = 1; i <= 4; i++) await seed.contact(account, `p${i}@school.example`, { is_primary: true });
        const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(d);
        await sql.raw(`alter database "${rows[0]!.name}" set default_transaction_isolation = 'repeatable read'`).execute(d);
      }, given.fresh());
      const check = await openTestDb(db);
      try {
        const { rows } = await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(check.db);
        expect(rows[0]!.level).toBe('repeatable read');
      } finally {
        await check.close();
      }
      const release = await holdWriteLock(db);
      const contacts = [1, 2, 3, 4].map((i) => spawnCli(newPrimary(i), { db }));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await release();
      expectOneWinner(await Promise.all(contacts), 'account SCH-1 already has 5 primary contacts (the limit is 5)');
      expect(await runJson<unknown[]>(['contacts', 'list', '--account', 'SCH-1', '--primary'], { db })).toHaveLength(5);
    },
  );
});
