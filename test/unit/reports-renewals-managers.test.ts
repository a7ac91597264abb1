/**
 * `report renewals` and `report managers` against figures computed here from the fixture rows: endings
 * per month and currency, their value, successors, the two at-risk reasons; per manager the accounts,
 * running subscriptions, renewals in the next 6 weeks, overdue planned activities, leave and cover, and
 * the notices due after leave routing (checked against the remind preview's own recipients). The HTML
 * report's parts run side by side (src/db/beside.ts): the built program's worker threads on SQLite, the
 * pool's connections on PostgreSQL, checked against the same parts run one after the other here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as Beside from '../../src/db/beside.js';
import type * as HtmlData from '../../src/reports/html-data.js';
import { htmlReportData } from '../../src/reports/html-data.js';
import { managersReport } from '../../src/reports/managers.js';
import { countDue } from '../../src/remind/due.js';
import { renewalsReport } from '../../src/reports/renewals.js';
import { runRemind } from '../../src/remind/run.js';
import { built, ROOT, runCli } from '../helpers/cli.js';
import { eachTestDb, tempDir, testOp } from '../helpers/db.js';
import { onPostgres } from '../helpers/engine.js';

const AS_OF = '2026-11-25';
const NOW = '2026-01-01T00:00:00Z';

interface SubFx {
  ext: string;
  manager: 'anna' | 'ben' | 'cleo';
  account: string;
  end: string;
  start?: string;
  currency?: 'EUR' | 'GBP';
  price: number;
  status?: string;
  renewed_by?: string;
  /** seats: true = dormant on the as-of date (last login 4 months before), false = logged in last week */
  seats?: boolean[];
}

const SUBS: SubFx[] = [
  // November 2026: one renewed, one quiet (no done activity of its account): at risk
  { ext: 'N1', manager: 'anna', account: 'A1', end: '2026-11-10', price: 100_00, renewed_by: 'N1-R', seats: [true, true] },
  { ext: 'N2', manager: 'anna', account: 'A2', end: '2026-11-30', price: 250_50, seats: [false] },
  // December: GBP and EUR; D1 has 2 of 3 seats dormant (> 50 %): at risk although its account is busy
  { ext: 'D1', manager: 'ben', account: 'A1', end: '2026-12-31', price: 300_00, seats: [true, true, false] },
  { ext: 'D2', manager: 'ben', account: 'A1', end: '2026-12-01', price: 120_00, currency: 'GBP', seats: [true, false] },
  // half dormant is not "more than half"; busy account: not at risk
  { ext: 'D3', manager: 'cleo', account: 'A1', end: '2026-12-15', price: 80_00, seats: [true, false] },
  // cancelled and trial subscriptions do not renew; one ending after the window is left out
  { ext: 'X1', manager: 'anna', account: 'A1', end: '2026-12-20', price: 999_00, status: 'cancelled' },
  { ext: 'X2', manager: 'anna', account: 'A1', end: '2026-12-20', price: 999_00, status: 'trial' },
  { ext: 'L1', manager: 'cleo', account: 'A2', end: '2027-11-01', price: 50_00 },
  // a successor that is itself cancelled does not count
  { ext: 'J1', manager: 'cleo', account: 'A1', end: '2027-01-05', price: 70_00, renewed_by: 'J1-R' },
];

const t = eachTestDb(async () => {
  const m = { anna: await t.seed.manager('anna'), ben: await t.seed.manager('ben'), cleo: await t.seed.manager('cleo') };
  const acc = { A1: await t.seed.account('A1', { manager: m.anna }), A2: await t.seed.account('A2', { manager: m.ben }) };
  await t.seed.account('A3', { manager: m.ben });
  // creates the product and the EUR plan; running on the as-of date, ending after every window
  await t.seed.subscription('P0', { account: acc.A1, manager: m.anna, end_date: '2028-01-14' });
  const product = (await t.db.selectFrom('products').select('id').executeTakeFirstOrThrow()).id;
  const gbp = (
    await t.db
      .insertInto('plans')
      .values({
        code: 'GBP',
        code_key: 'gbp',
        name: 'GBP',
        product_id: product,
        currency: 'GBP',
        modules: '',
        legacy: 0,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  let n = 0;
  for (const s of SUBS) {
    const account = acc[s.account as 'A1' | 'A2'];
    const id = await t.seed.subscription(s.ext, {
      account,
      manager: m[s.manager],
      start_date: s.start ?? '2026-01-01',
      end_date: s.end,
      status: s.status ?? 'active',
    });
    await t.seed.set('subscriptions', id, { price_cents: s.price, ...(s.currency === 'GBP' ? { plan_id: gbp } : {}) });
    if (s.renewed_by) {
      await t.seed.subscription(s.renewed_by, {
        account,
        manager: m[s.manager],
        start_date: '2027-01-06',
        end_date: '2028-01-05',
        renewed_from: id,
        status: s.ext === 'J1' ? 'cancelled' : 'active',
      });
    }
    for (const dormant of s.seats ?? []) {
      const c = await t.seed.contact(account, `t${n++}@x.example`);
      const seat = await t.seed.seat(id, c, { invited_at: '2026-01-01' });
      await t.seed.login(seat, dormant ? '2026-07-20T10:00:00Z' : '2026-11-18T10:00:00Z');
    }
  }
  // A1 had a done call 89 days before the as-of date (inside the 90 days); A2 only one 90 days before
  const activity = (account: number, at: string, status: string, manager: number, number: number) =>
    t.db
      .insertInto('activities')
      .values({
        number,
        account_id: account,
        kind: 'call',
        subject: 's',
        manager_id: manager,
        at,
        status,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
  await activity(acc.A1, '2026-08-28T09:00:00Z', 'done', m.anna, 1);
  await activity(acc.A2, '2026-08-27T09:00:00Z', 'done', m.anna, 2);
  // overdue planned: anna 2 (one yesterday late evening), ben 0 (his is today); done ones never count
  await activity(acc.A1, '2026-11-24T23:30:00Z', 'planned', m.anna, 3);
  await activity(acc.A1, '2026-10-01T09:00:00Z', 'planned', m.anna, 4);
  await activity(acc.A2, '2026-11-25T08:00:00Z', 'planned', m.ben, 5);
  await activity(acc.A2, '2026-11-01T08:00:00Z', 'cancelled', m.ben, 6);
  // anna is on leave; ben covers
  await t.seed.leave(m.anna, m.ben, '2026-11-20', '2026-12-05');
});

describe('report renewals', () => {
  it('per month and currency: endings, value, successors and risk, as computed from the fixtures', async () => {
    const rows = await renewalsReport(t.db, AS_OF, { months: 3 });
    const window = ['2026-11', '2026-12', '2027-01'];
    const renews = SUBS.filter((s) => (s.status ?? 'active') === 'active' && window.includes(s.end.slice(0, 7)));
    const quiet = new Set(['A2']); // no done activity on 2026-08-28 … 2026-11-25
    const expected = window.flatMap((month) =>
      ['EUR', 'GBP'].map((currency) => {
        const these = renews.filter((s) => s.end.slice(0, 7) === month && (s.currency ?? 'EUR') === currency);
        const renewed = these.filter((s) => s.renewed_by && s.ext !== 'J1');
        const risky = these.filter((s) => {
          if (renewed.includes(s)) return false;
          const d = s.seats ?? [];
          return d.filter(Boolean).length * 2 > d.length || quiet.has(s.account);
        });
        const cents = these.reduce((a, s) => a + s.price, 0);
        return {
          month,
          currency,
          ending: these.length,
          value: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          value_cents: cents,
          renewed: renewed.length,
          at_risk: risky.length,
        };
      }),
    );
    expect(rows).toEqual(expected);
    // by hand: November EUR = N1 (renewed) + N2 (quiet account: at risk)
    expect(rows[0]).toEqual({ month: '2026-11', currency: 'EUR', ending: 2, value: '350.50', value_cents: 350_50, renewed: 1, at_risk: 1 });
    expect(rows.find((r) => r.month === '2026-12' && r.currency === 'EUR')).toMatchObject({ ending: 2, at_risk: 1 }); // D1, not D3
    expect(rows.find((r) => r.month === '2027-01' && r.currency === 'EUR')).toMatchObject({ ending: 1, renewed: 0, at_risk: 0 });
  });

  it('--manager and --months', async () => {
    const ben = await renewalsReport(t.db, AS_OF, { months: 2, manager: 'BEN' });
    expect(ben.map((r) => [r.month, r.currency, r.ending, r.at_risk])).toEqual([
      ['2026-11', 'EUR', 0, 0],
      ['2026-11', 'GBP', 0, 0],
      ['2026-12', 'EUR', 1, 1],
      ['2026-12', 'GBP', 1, 0],
    ]);
    expect((await renewalsReport(t.db, AS_OF)).map((r) => r.month).filter((m, i, a) => a.indexOf(m) === i)).toHaveLength(12);
    await expect(renewalsReport(t.db, AS_OF, { months: 0 })).rejects.toThrow('months: "0": must be a whole number from 1 to 120');
  });
});

describe('report managers', () => {
  it('load per manager on the as-of date, notices due after leave routing as the remind preview addresses them', async () => {
    const rows = await managersReport(t.db, AS_OF);
    const preview = await runRemind(t.db, testOp({ asOf: AS_OF }), { mode: 'preview', tx: () => Promise.reject(new Error('no writes')) });
    const due = (login: string) => preview.notices.filter((n) => n.recipient_login === login).length;
    expect(preview.notices.length).toBeGreaterThan(0);
    const running = (who: string) =>
      SUBS.filter((s) => s.manager === who && s.status !== 'cancelled' && (s.start ?? '2026-01-01') <= AS_OF && s.end >= AS_OF).length +
      (who === 'anna' ? 1 : 0); // P0 (2026-01-15 … 2028-01-14)
    const soon = (who: string) =>
      SUBS.filter((s) => s.manager === who && (s.status ?? 'active') === 'active' && s.end >= AS_OF && s.end <= '2027-01-06').length;
    expect(rows).toEqual([
      {
        login: 'anna',
        name: 'ANNA',
        status: 'on_leave', // as managers list shows her: a leave covers the day
        accounts: 1,
        running: running('anna'),
        renewals_6w: soon('anna'),
        notices_due: 0,
        overdue: 2,
        on_leave: true,
        covered_by: 'ben',
      },
      {
        login: 'ben',
        name: 'BEN',
        status: 'active',
        accounts: 2,
        running: running('ben'),
        renewals_6w: soon('ben'),
        notices_due: due('ben'),
        overdue: 0,
        on_leave: false,
        covered_by: null,
      },
      {
        login: 'cleo',
        name: 'CLEO',
        status: 'active',
        accounts: 0,
        running: running('cleo'),
        renewals_6w: soon('cleo'),
        notices_due: due('cleo'),
        overdue: 0,
        on_leave: false,
        covered_by: null,
      },
    ]);
    // anna's own renewal notices (N2 ends 11-30) went to ben
    expect(due('anna')).toBe(0);
    expect(preview.notices.some((n) => n.recipient_login === 'ben' && n.subscription_external_id === 'N2')).toBe(true);
  });

  it('--format csv of a report with no rows is its header line, the one a report with rows has', async () => {
    const renewals = await runCli(['report', 'renewals', '--as-of', '2030-01-01', '--months', '1', '--format', 'csv'], { db: t.path });
    expect(renewals).toMatchObject({ code: 0, stdout: 'month,currency,ending,value,value_cents,renewed,at_risk\n' });
    const withRows = await runCli(['report', 'renewals', '--as-of', AS_OF, '--format', 'csv'], { db: t.path });
    expect(withRows.stdout.split('\n')[0]).toBe('month,currency,ending,value,value_cents,renewed,at_risk');
    const managers = await runCli(['report', 'managers', '--format', 'csv'], { db: t.path });
    const header = 'login,name,status,accounts,running,renewals_6w,notices_due,overdue,on_leave,covered_by';
    expect(managers.stdout.split('\n')[0]).toBe(header);
    await t.db.deleteFrom('manager_leaves').execute();
    await t.db.updateTable('accounts').set({ manager_id: null }).execute();
    await t.db.updateTable('subscriptions').set({ manager_id: null }).execute();
    await t.db.updateTable('activities').set({ manager_id: null }).execute();
    await t.db.deleteFrom('managers').execute();
    expect(await runCli(['report', 'managers', '--format', 'csv'], { db: t.path })).toMatchObject({ code: 0, stdout: `${header}\n` });
  });

  it('the count of notices due per recipient equals what the remind preview lists for each (a manager on leave)', async () => {
    const counts = await countDue(t.db, AS_OF);
    const preview = await runRemind(t.db, testOp({ asOf: AS_OF }), { mode: 'preview', tx: () => Promise.reject(new Error('no writes')) });
    const listed = new Map<string, { login: string; count: number }>();
    for (const n of preview.notices) {
      const c = listed.get(n.recipient_email) ?? { login: n.recipient_login, count: 0 };
      c.count++;
      listed.set(n.recipient_email, c);
    }
    expect(listed.size).toBeGreaterThan(1);
    expect(new Map([...counts].sort())).toEqual(new Map([...listed].sort()));
    // anna is on leave: nothing is counted for her
    expect([...counts.values()].some((c) => c.login === 'anna')).toBe(false);
  });
});

describe('report html', () => {
  it("its renewals are the renewals report's rows and its managers the managers report's", async () => {
    const data = await htmlReportData(t.handle, AS_OF);
    expect(data.renewals).toEqual(await renewalsReport(t.db, AS_OF));
    expect(data.managers).toEqual(await managersReport(t.db, AS_OF));
    const total = (k: 'ending' | 'renewed' | 'at_risk' | 'value_cents') => data.renewals.reduce((n, r) => n + r[k], 0);
    expect([total('ending'), total('renewed'), total('at_risk')]).toEqual([6, 1, 2]); // N1 N2 D1 D2 D3 J1; N1 renewed; N2 quiet, D1 mostly dormant
    expect(total('value_cents')).toBe(100_00 + 250_50 + 300_00 + 120_00 + 80_00 + 70_00);
  });
});

describe('report html, its parts side by side', () => {
  it('gives the same data as its parts run one after the other, with or without --manager', async () => {
    const dist = await built<typeof HtmlData>('src/reports/html-data.js');
    const { besideThreadAvailable } = await built<typeof Beside>('src/db/beside.js');
    // SQLite: worker threads with their own connections (here, the sources run one after the other)
    expect(besideThreadAvailable(t.handle, pathToFileURL(path.join(ROOT, 'dist/src/reports/html-data.js')))).toBe(!onPostgres);
    for (const manager of [undefined, 'ben']) {
      // side by side whatever the size (a few subscriptions here)
      const side = await dist.htmlReportData(t.handle, AS_OF, manager, { sideBySideFrom: 0 });
      expect(side).toEqual(await htmlReportData(t.handle, AS_OF, manager));
      expect(side.usage.months.reduce((n, m) => n + m.logins, 0)).toBeGreaterThan(0);
      expect(side.managers.map((m) => m.login)).toEqual(manager ? [manager] : ['anna', 'ben', 'cleo']);
    }
    await expect(dist.htmlReportData(t.handle, AS_OF, 'nobody', { sideBySideFrom: 0 })).rejects.toThrow('manager not found: "nobody"');
  });

  it("a part's error comes back as it was: message, exit code and hint", async () => {
    const { beside } = await built<typeof Beside>('src/db/beside.js');
    const dir = tempDir('acctmgr-beside-');
    const module = path.join(dir, 'part.js');
    const errors = pathToFileURL(path.join(ROOT, 'dist/src/errors.js')).href;
    fs.writeFileSync(
      module,
      `import { RefusedError } from ${JSON.stringify(errors)};\nexport async function part(h, what) { throw new RefusedError(\`no \${what} on \${h.engine}\`, 'try later'); }\n`,
    );
    const fn = (_h: unknown, _what: string): Promise<never> => Promise.reject(new Error('the worker thread was not used'));
    const run = beside(t.handle, { module: pathToFileURL(module), name: 'part', fn }, 'luck');
    if (onPostgres) await expect(run.result()).rejects.toThrow('the worker thread was not used');
    else
      await expect(run.result()).rejects.toMatchObject({ message: 'no luck on sqlite', exitCode: 1, hint: 'try later', code: 'refused' });
    await run.stop();
  });
});
