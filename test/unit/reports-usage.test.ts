/**
 * `report usage` against counts computed here, independently, from the fixture rows (a naive walk over
 * every seat, event and month with its own calendar arithmetic): month boundaries, a login at 23:30 UTC
 * on a month's last day, seats removed mid-month, a leap February, terms starting and ending mid-range,
 * a seat whose only login is its stored last_login_at, a seat without invited_at.
 */
import { describe, expect, it } from 'vitest';
import { htmlReportData } from '../../src/reports/html-data.js';
import { usageTotals } from '../../src/reports/usage-totals.js';
import { usageRows, type UsageRow } from '../../src/reports/usage.js';
import { eachTestDb } from '../helpers/db.js';

interface SeatFx {
  sub: string;
  email: string;
  invited_at: string | null;
  created_at?: string;
  removed_at?: string | null;
  last_login_at?: string | null;
  logins: string[];
}
interface SubFx {
  ext: string;
  account: string;
  manager: 'anna' | 'ben';
  start: string;
  end: string;
}

const SUBS: SubFx[] = [
  { ext: 'S1', account: 'SCH-1', manager: 'anna', start: '2023-11-15', end: '2024-11-14' },
  { ext: 'S2', account: 'SCH-2', manager: 'ben', start: '2024-02-10', end: '2025-02-09' },
  { ext: 'S3', account: 'SCH-1', manager: 'anna', start: '2023-01-21', end: '2024-01-20' },
  // no seats at all: a row of zeros per month
  { ext: 'S4', account: 'SCH-2', manager: 'ben', start: '2024-03-01', end: '2025-02-28' },
];

const SEATS: SeatFx[] = [
  // 23:30 UTC on the last day of December counts in December; the leap day in February
  {
    sub: 'S1',
    email: 'a@x.example',
    invited_at: '2023-11-20',
    logins: ['2023-12-31T23:30:00Z', '2024-02-29T23:30:00Z', '2024-03-01T00:00:00Z', '2024-03-01T00:00:01Z'],
  },
  // removed mid-February: a seat in December and January only, yet active in February (logged in before)
  {
    sub: 'S1',
    email: 'b@x.example',
    invited_at: '2023-11-01',
    removed_at: '2024-02-15',
    logins: ['2023-10-05T08:00:00Z', '2024-02-10T09:00:00Z'],
  },
  // invited on the last day of January, never logs in: dormant from 2024-04-30 on
  { sub: 'S1', email: 'c@x.example', invited_at: '2024-01-31', logins: [] },
  // no invited_at: counted from the day the row was created
  { sub: 'S1', email: 'd@x.example', invited_at: null, created_at: '2024-03-05T10:00:00Z', logins: ['2024-04-30T23:59:59Z'] },
  // only a stored last login (an import), long ago: dormant all along
  { sub: 'S1', email: 'e@x.example', invited_at: '2023-08-01', last_login_at: '2023-09-01T10:00:00Z', logins: [] },
  // removed on the last day of a month: not a seat at that month's end
  { sub: 'S1', email: 'f@x.example', invited_at: '2023-11-16', removed_at: '2024-01-31', logins: ['2024-01-31T12:00:00Z'] },
  // a stored last login later than the events (it wins from its own month on)
  {
    sub: 'S2',
    email: 'g@y.example',
    invited_at: '2024-02-10',
    last_login_at: '2024-04-02T07:00:00Z',
    logins: ['2024-02-11T10:00:00Z', '2024-02-11T11:00:00Z'],
  },
  { sub: 'S2', email: 'h@y.example', invited_at: '2023-12-01', logins: ['2024-05-31T23:30:00Z', '2024-06-01T00:30:00Z'] },
  { sub: 'S3', email: 'a@x.example', invited_at: '2023-01-21', logins: ['2023-11-30T23:30:00Z', '2024-01-20T10:00:00Z'] },
  { sub: 'S3', email: 'i@x.example', invited_at: '2023-02-01', logins: ['2023-10-31T12:00:00Z'] },
];

// --- the independent computation: plain loops and its own calendar ---
const dim = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
function plus3Months(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = y * 12 + (m - 1) + 3;
  const ny = Math.floor(t / 12);
  const nm = (t % 12) + 1;
  return `${ny}-${String(nm).padStart(2, '0')}-${String(Math.min(d, dim(ny, nm))).padStart(2, '0')}`;
}
function monthList(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const s = `${y}-${String(m).padStart(2, '0')}`;
    if (s > to) return out;
    out.push(s);
    m++;
    if (m === 13) [y, m] = [y + 1, 1];
  }
}
function expected(from: string, to: string, only?: (s: SubFx) => boolean): UsageRow[] {
  const rows: UsageRow[] = [];
  for (const s of SUBS.filter((x) => !only || only(x))) {
    for (const month of monthList(from, to)) {
      if (month < s.start.slice(0, 7) || month > s.end.slice(0, 7)) continue;
      const [y, m] = month.split('-').map(Number) as [number, number];
      const end = `${month}-${String(dim(y, m)).padStart(2, '0')}`;
      let seats = 0;
      let active = 0;
      let logins = 0;
      let dormant = 0;
      for (const st of SEATS.filter((x) => x.sub === s.ext)) {
        const inMonth = st.logins.filter((l) => l.slice(0, 7) === month).length;
        logins += inMonth;
        if (inMonth > 0) active++;
        const invited = st.invited_at ?? st.created_at!.slice(0, 10);
        if (invited > end || (st.removed_at && st.removed_at <= end)) continue;
        seats++;
        const before = [...st.logins, ...(st.last_login_at ? [st.last_login_at] : [])].map((l) => l.slice(0, 10)).filter((d) => d <= end);
        const base = before.length > 0 ? before.sort().at(-1)! : invited;
        if (plus3Months(base) <= end) dormant++;
      }
      rows.push({
        subscription_external_id: s.ext,
        account_external_id: s.account,
        manager_login: s.manager,
        month,
        seats,
        active_teachers: active,
        logins,
        dormant,
      });
    }
  }
  return rows;
}

const t = eachTestDb(async () => {
  const managers = { anna: await t.seed.manager('anna'), ben: await t.seed.manager('ben') };
  const accounts = new Map<string, number>();
  for (const a of ['SCH-1', 'SCH-2']) accounts.set(a, await t.seed.account(a, { manager: a === 'SCH-1' ? managers.anna : managers.ben }));
  const contacts = new Map<string, number>();
  const subs = new Map<string, number>();
  for (const s of SUBS)
    subs.set(
      s.ext,
      await t.seed.subscription(s.ext, {
        account: accounts.get(s.account)!,
        manager: managers[s.manager],
        start_date: s.start,
        end_date: s.end,
      }),
    );
  for (const st of SEATS) {
    const account = accounts.get(SUBS.find((s) => s.ext === st.sub)!.account)!;
    const key = `${account}/${st.email}`;
    if (!contacts.has(key)) contacts.set(key, await t.seed.contact(account, st.email));
    const seat = await t.seed.seat(subs.get(st.sub)!, contacts.get(key)!, {
      status: st.removed_at ? 'removed' : 'active',
      invited_at: st.invited_at,
      last_login_at: st.last_login_at ?? null,
    });
    await t.seed.set('seats', seat, { removed_at: st.removed_at ?? null, ...(st.created_at ? { created_at: st.created_at } : {}) });
    for (const at of st.logins) await t.seed.login(seat, at);
  }
});

async function collect(asOf: string, f = {}): Promise<UsageRow[]> {
  const out: UsageRow[] = [];
  for await (const r of usageRows(t.handle, asOf, f)) out.push(r);
  return out;
}

describe('report usage', () => {
  it('every number of every subscription and month equals the count made from the fixture rows', async () => {
    const rows = await collect('2024-06-10', { from: '2023-10', to: '2024-06' });
    expect(rows).toEqual(expected('2023-10', '2024-06'));
    // spot checks of the edges, by hand
    const s1 = (month: string) => rows.find((r) => r.subscription_external_id === 'S1' && r.month === month)!;
    expect(s1('2023-12')).toMatchObject({ logins: 1, active_teachers: 1 }); // 23:30 on 12-31 is December
    expect(s1('2024-01')).toMatchObject({ seats: 4, logins: 1 }); // a, b, e and c (invited 01-31); not f (removed 01-31)
    expect(s1('2024-02')).toMatchObject({ seats: 3, logins: 2, active_teachers: 2 }); // leap day; b removed 02-15 yet active
    expect(s1('2024-03')).toMatchObject({ seats: 4, logins: 2, active_teachers: 1 }); // d from 03-05
    expect(s1('2024-04')).toMatchObject({ dormant: 2 }); // c (01-31 + 3 months = 04-30) and e
    expect(rows.filter((r) => r.subscription_external_id === 'S3').map((r) => r.month)).toEqual([
      '2023-10',
      '2023-11',
      '2023-12',
      '2024-01',
    ]);
    expect(rows.filter((r) => r.subscription_external_id === 'S4').every((r) => r.seats + r.logins + r.active_teachers === 0)).toBe(true);
  });

  it('defaults to the 12 months up to the as-of month; filters by account, subscription and manager', async () => {
    expect(await collect('2024-11-25')).toEqual(expected('2023-12', '2024-11'));
    expect(await collect('2024-11-25', { account: 'sch-2' })).toEqual(expected('2023-12', '2024-11', (s) => s.account === 'SCH-2'));
    expect(await collect('2024-11-25', { subscription: 'S3' })).toEqual(expected('2023-12', '2024-11', (s) => s.ext === 'S3'));
    expect(await collect('2024-11-25', { manager: 'ben', from: '2024-02', to: '2024-02' })).toEqual(
      expected('2024-02', '2024-02', (s) => s.manager === 'ben'),
    );
  });

  it('refuses a bad month, a reversed range and unknown filters before reading anything', async () => {
    await expect(collect('2024-11-25', { from: '2024-13' })).rejects.toThrow('from: "2024-13": is not a real calendar month');
    await expect(collect('2024-11-25', { from: '1899-12', to: '1900-01' })).rejects.toThrow(
      'from: "1899-12": must be between 1900-01 and 9999-12',
    );
    await expect(collect('2024-11-25', { from: '2024-05', to: '2024-04' })).rejects.toThrow('is after --to (2024-04)');
    await expect(collect('2024-11-25', { manager: 'nobody' })).rejects.toThrow('nobody');
    await expect(collect('2024-11-25', { subscription: 'NOPE' })).rejects.toThrow('NOPE');
  });

  it("the HTML report's monthly totals are the sums of the usage rows; its top rows are the subscriptions' own", async () => {
    for (const manager of [undefined, 'ben']) {
      const rows = await collect('2024-11-25', manager === undefined ? {} : { manager });
      const data = await htmlReportData(t.handle, '2024-11-25', manager);
      const sum = (month: string, k: 'seats' | 'active_teachers' | 'logins' | 'dormant') =>
        rows.filter((r) => r.month === month).reduce((n, r) => n + r[k], 0);
      expect(data.usage.months.map((m) => m.month)).toEqual(
        expected('2023-12', '2024-11')
          .reduce<string[]>((a, r) => (a.includes(r.month) ? a : [...a, r.month]), [])
          .sort(),
      );
      for (const m of data.usage.months) {
        expect(m).toEqual({
          month: m.month,
          subscriptions: rows.filter((r) => r.month === m.month).length,
          seats: sum(m.month, 'seats'),
          active_teachers: sum(m.month, 'active_teachers'),
          logins: sum(m.month, 'logins'),
          dormant: sum(m.month, 'dormant'),
        });
      }
      expect(data.usage.subscriptions).toBe(new Set(rows.map((r) => r.subscription_external_id)).size);
      expect(data.usage.months.reduce((n, m) => n + m.logins, 0)).toBeGreaterThan(0);
      for (const top of data.usage.top) {
        const own = rows.filter((r) => r.subscription_external_id === top.subscription_external_id);
        expect(top.logins).toBe(own.reduce((n, r) => n + r.logins, 0));
        expect(top).toMatchObject({ seats: own.at(-1)!.seats, dormant: own.at(-1)!.dormant });
      }
    }
  });

  it('the HTML totals count a seat invited after the first threshold whose only login is older than the events read', async () => {
    // range 2023-12 … 2024-11: events are read from 2023-10-01 (the day after 2023-12's threshold)
    const account = await t.seed.account('SCH-9');
    const sub = await t.seed.subscription('S9', { account, start_date: '2024-01-01', end_date: '2024-12-31' });
    const early = await t.seed.seat(sub, await t.seed.contact(account, 'early@x.example'), { invited_at: '2024-02-10' });
    await t.seed.login(early, '2023-05-05T10:00:00Z'); // before its invitation and before the events read
    await t.seed.seat(sub, await t.seed.contact(account, 'never@x.example'), { invited_at: '2024-02-10' });
    const rows = (await collect('2024-11-25')).filter((r) => r.subscription_external_id === 'S9');
    // the old login makes the first seat dormant at once; the other is dormant 3 months after its invitation
    expect(rows.map((r) => [r.month, r.seats, r.dormant])).toEqual([
      ['2024-01', 0, 0],
      ['2024-02', 2, 1],
      ['2024-03', 2, 1],
      ['2024-04', 2, 1],
      ['2024-05', 2, 2],
      ['2024-06', 2, 2],
      ['2024-07', 2, 2],
      ['2024-08', 2, 2],
      ['2024-09', 2, 2],
      ['2024-10', 2, 2],
      ['2024-11', 2, 2],
    ]);
    const all = await collect('2024-11-25');
    const data = await htmlReportData(t.handle, '2024-11-25');
    for (const m of data.usage.months) expect(m.dormant).toBe(all.filter((r) => r.month === m.month).reduce((n, r) => n + r.dormant, 0));
  });

  it('the HTML totals are the same read by blocks of seat ids (any size, events of any date) as read by subscription', async () => {
    // the seat of the test above, and one whose logins lie before, within and after the events read
    const account = await t.seed.account('SCH-9');
    const sub = await t.seed.subscription('S9', { account, start_date: '2024-01-01', end_date: '2024-12-31' });
    const early = await t.seed.seat(sub, await t.seed.contact(account, 'early@x.example'), { invited_at: '2024-02-10' });
    await t.seed.login(early, '2023-05-05T10:00:00Z');
    const busy = await t.seed.seat(sub, await t.seed.contact(account, 'busy@x.example'), { invited_at: '2023-12-20' });
    for (const at of [
      '2023-09-30T23:59:00Z',
      '2023-10-01T00:00:00Z',
      '2023-11-30T10:00:00Z',
      '2024-03-03T10:00:00Z',
      '2025-01-02T10:00:00Z',
    ])
      await t.seed.login(busy, at);
    for (const [asOf, f] of [
      ['2024-11-25', {}],
      ['2024-06-10', { from: '2023-10', to: '2024-06' }],
      ['2024-11-25', { manager: 'ben' }],
      ['2025-03-01', { from: '2023-01' }],
    ] as const) {
      const bySubscription = await usageTotals(t.handle, asOf, f, 3, { read: 'subscriptions' });
      expect(bySubscription.months.reduce((n, m) => n + m.logins, 0)).toBeGreaterThan(0);
      for (const blockSize of [1, 2, 3, 1024])
        expect(await usageTotals(t.handle, asOf, f, 3, { read: 'blocks', blockSize })).toEqual(bySubscription);
    }
  });
});
