import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import type * as Beside from '../../src/db/beside.js';
import type { DbHandle } from '../../src/db/connection.js';
import { writeTx } from '../../src/db/tx.js';
import { computeDue } from '../../src/remind/due.js';
import { claimNotices } from '../../src/remind/ledger.js';
import type * as DormantSeats from '../../src/remind/dormant-seats.js';
import type * as DormantAhead from '../../src/remind/dormant-ahead.js';
import type * as BesideStart from '../../src/db/beside-start.js';
import type * as Preview from '../../src/remind/preview.js';
import { previewRemind, type StreamedRun } from '../../src/remind/preview.js';
import { runRemind, type RunMode } from '../../src/remind/run.js';
import { built, ROOT } from '../helpers/cli.js';
import { eachTestDb, testOp } from '../helpers/db.js';
import { onPostgres } from '../helpers/engine.js';
import type { Seeder } from '../helpers/seed.js';

let seed: Seeder;
let anna: number;
let school: number;
const t = eachTestDb(async () => {
  seed = t.seed;
  anna = await seed.manager('anna');
  school = await seed.account('SCH-1', { manager: anna });
});

const AS_OF = '2026-11-25';
async function due(asOf = AS_OF) {
  const plan = await computeDue(t.db, asOf);
  return plan.due.map(
    (n) => `${n.sub.external_id} ${n.stage}${n.contact_email ? ` ${n.contact_email}` : ''} -> ${n.recipient.login || n.recipient.email}`,
  );
}
function run(mode: RunMode, asOf = AS_OF, extra: { retryInDoubt?: boolean } = {}) {
  return runRemind(t.db, testOp({ asOf }), { mode, tx: (fn) => writeTx(t.db, fn), ...extra });
}
async function ledger() {
  const rows = await t.db.selectFrom('notices').select(['subscription_external_id', 'stage', 'status', 'cycle']).orderBy('id').execute();
  return rows.map((r) => `${r.subscription_external_id} ${r.stage} ${r.status}`);
}

describe('remind: what is due', () => {
  it('sends only the current stage of each cycle, including after missed days, never a stale one', async () => {
    await seed.subscription('S-6W', { account: school, end_date: '2027-01-06' });
    await seed.subscription('S-2W', { account: school, end_date: '2026-12-09' });
    await seed.subscription('S-0D', { account: school, end_date: '2026-11-25' });
    await seed.subscription('S+2W', { account: school, end_date: '2026-11-11' });
    await seed.subscription('S+3M', { account: school, end_date: '2026-08-25' });
    await seed.subscription('S+6M', { account: school, end_date: '2026-05-25' });
    await seed.subscription('S-LATE', { account: school, end_date: '2026-04-30' }); // +6m window ends 2026-11-29
    await seed.subscription('S-STALE', { account: school, end_date: '2026-04-20' }); // +6m window ended 2026-11-19
    await seed.subscription('S-OLD', { account: school, end_date: '2025-01-01' }); // imported long after it expired
    await seed.subscription('S-FAR', { account: school, end_date: '2027-06-30' });
    await seed.subscription('S-CATCHUP', { account: school, end_date: '2026-12-05' }); // -2w was due 11-21
    expect((await due()).sort()).toEqual(
      [
        'S+2W renewal+2w -> anna',
        'S+3M renewal+3m -> anna',
        'S+6M renewal+6m -> anna',
        'S-0D renewal-0d -> anna',
        'S-2W renewal-2w -> anna',
        'S-6W renewal-6w -> anna',
        'S-CATCHUP renewal-2w -> anna',
        'S-LATE renewal+6m -> anna',
      ].sort(),
    );
  });

  it('month ends and the leap day: a +3m stage due on a clamped date', async () => {
    await seed.subscription('S-AUG31', { account: school, end_date: '2026-08-31' }); // +3m -> 2026-11-30
    await seed.subscription('S-NOV30', { account: school, end_date: '2027-11-30' });
    expect(await due('2026-11-29')).toEqual(['S-AUG31 renewal+2w -> anna']);
    expect(await due('2026-11-30')).toEqual(['S-AUG31 renewal+3m -> anna']);
    // 2027-11-30 + 3 months = 2028-02-29 (leap year)
    expect(await due('2028-02-28')).toEqual(['S-NOV30 renewal+2w -> anna']);
    expect(await due('2028-02-29')).toEqual(['S-NOV30 renewal+3m -> anna']);
  });

  it('no renewal notice for cancelled, trial, deactivated accounts, or once a successor exists; unpaid included', async () => {
    await seed.subscription('S-CAN', { account: school, end_date: '2026-12-09', status: 'cancelled' });
    await seed.subscription('S-TRIAL', { account: school, end_date: '2026-12-09', status: 'trial' });
    const off = await seed.account('OFF', { manager: anna, status: 'deactivated' });
    await seed.subscription('S-OFF', { account: off, end_date: '2026-12-09' });
    await seed.subscription('S-UNPAID', { account: school, end_date: '2026-12-09', paid_at: null });
    const before = await seed.subscription('S-OLD', { account: school, end_date: '2026-12-09' });
    const after = await seed.subscription('S-EXPIRED', { account: school, end_date: '2026-11-11' });
    await seed.subscription('S-OLD-NEXT', { account: school, start_date: '2026-12-10', end_date: '2027-12-09', renewed_from: before });
    const next = await seed.subscription('S-EXP-NEXT', {
      account: school,
      start_date: '2026-11-12',
      end_date: '2027-11-11',
      renewed_from: after,
    });
    expect(await due()).toEqual(['S-UNPAID renewal-2w -> anna']);
    // a cancelled successor does not count: the post-expiry notices of the old one resume
    await seed.set('subscriptions', next, { status: 'cancelled' });
    expect((await due()).sort()).toEqual(['S-EXPIRED renewal+2w -> anna', 'S-UNPAID renewal-2w -> anna']);
  });

  it('routes to the backup while a leave covers the date, one level deep; inactive managers still receive', async () => {
    const ben = await seed.manager('ben');
    const cleo = await seed.manager('cleo');
    const dan = await seed.manager('dan', { status: 'inactive' });
    await seed.subscription('S-A', { account: school, end_date: '2026-12-09' });
    await seed.subscription('S-D', { account: school, manager: dan, end_date: '2026-12-09' });
    await seed.leave(anna, ben, '2026-11-20', '2026-11-30');
    expect(await due()).toEqual(['S-A renewal-2w -> ben', 'S-D renewal-2w -> dan']);
    await seed.leave(ben, cleo, '2026-11-25', null);
    expect((await due())[0]).toBe('S-A renewal-2w -> cleo');
    await seed.leave(cleo, dan, '2026-11-01', null);
    expect((await due())[0]).toBe('S-A renewal-2w -> cleo'); // one level at most
    expect(await due('2026-12-01')).toEqual(['S-A renewal-2w -> anna', 'S-D renewal-2w -> dan']);
  });

  it('tutors: the earliest-created primary contact that is not removed, with recipient_login ""', async () => {
    const tutor = await seed.account('TUT-1', { type: 'tutor' });
    await seed.contact(tutor, 'old@tutor.example', { is_primary: true, status: 'removed', created_at: '2025-01-01T00:00:00Z' });
    await seed.contact(tutor, 'later@tutor.example', { is_primary: true, created_at: '2025-03-01T00:00:00Z' });
    await seed.contact(tutor, 'first@tutor.example', { is_primary: true, created_at: '2025-02-01T00:00:00Z' });
    await seed.contact(tutor, 'plain@tutor.example', { created_at: '2024-01-01T00:00:00Z' });
    const sub = await seed.subscription('S-TUT', { account: tutor, manager: null, end_date: '2026-12-09' });
    const seat = await seed.seat(sub, await seed.contact(tutor, 'me@tutor.example'), { last_login_at: '2026-05-01T10:00:00Z' });
    const plan = await computeDue(t.db, AS_OF);
    expect(plan.due.map((n) => [n.stage, n.recipient.login, n.recipient.email])).toEqual([['renewal-2w', '', 'first@tutor.example']]);
    expect(seat).toBeGreaterThan(0); // tutors' seats get no dormancy notices
    const lonely = await seed.account('TUT-2', { type: 'tutor' });
    await seed.subscription('S-LONELY', { account: lonely, manager: null, end_date: '2026-12-09' });
    const again = await computeDue(t.db, AS_OF);
    expect(again.noRecipient).toMatchObject([
      { kind: 'renewal', stage: 'renewal-2w', subscription_external_id: 'S-LONELY', account_external_id: 'TUT-2' },
    ]);
  });

  it('dormancy: per seat, from the last login (or invitation), only on running subscriptions', async () => {
    await dormancySet();
    expect((await due()).filter((d) => !d.includes('renewal'))).toEqual([
      'S-RENEWED dormant-3m still@s.example -> anna',
      'S-RUN dormant-3m idle@s.example -> anna',
      'S-RUN dormant-6m never@s.example -> anna',
    ]);
  });

  it('the dormant seats scanned beside the run (a worker thread of the built program with a connection of its own) give the same notices', async () => {
    await dormancySet();
    const dist = await built<typeof Preview>('src/remind/preview.js');
    const { bareThreadAvailable } = await built<typeof Beside>('src/db/beside.js');
    expect(bareThreadAvailable(t.handle, pathToFileURL(path.join(ROOT, 'dist/src/remind/dormant-rows.js')))).toBe(true);
    const op = testOp({ asOf: AS_OF });
    const records = async (run: StreamedRun) => [...run.records()];
    const side = await records(await dist.previewRemind(t.db, op, { handle: t.handle, besideFromSeats: 0 }));
    expect(side).toEqual(await records(await previewRemind(t.db, op, {})));
    expect(side.filter((r) => r.kind === 'dormancy').map((r) => r.contact_email)).toEqual([
      'still@s.example',
      'idle@s.example',
      'never@s.example',
    ]);
  });

  it('a seat scan takes the worker thread made ahead for it (while the run loaded), and one made for another part is not taken: the same notices', async () => {
    await dormancySet();
    const dist = await built<typeof Preview>('src/remind/preview.js');
    const start = await built<typeof BesideStart>('src/db/beside-start.js');
    const { DORMANT_MODULE, DORMANT_YOUNG_GENERATION_MB: mb } = await built<typeof DormantAhead>('src/remind/dormant-ahead.js');
    const op = testOp({ asOf: AS_OF });
    const records = async (run: StreamedRun) => [...run.records()];
    const here = await records(await previewRemind(t.db, op, {}));
    // made ahead with the part's young generation and its modules: taken by the run (none is left)
    start.makeBesideThread(mb, [DORMANT_MODULE.href, 'better-sqlite3']);
    expect(await records(await dist.previewRemind(t.db, op, { handle: t.handle, besideFromSeats: 0 }))).toEqual(here);
    expect(start.takeBesideThread(mb)).toBeUndefined();
    // made for a part with another young generation: ended, and the scan makes its own
    start.makeBesideThread(mb + 1, []);
    expect(await records(await dist.previewRemind(t.db, op, { handle: t.handle, besideFromSeats: 0 }))).toEqual(here);
    expect(start.takeBesideThread(mb + 1)).toBeUndefined();
  });

  it('a thread is made ahead of a run only over a SQLite file large enough to hold the seats a scan beside needs', async () => {
    const { makeDormantThreadAhead, DORMANT_YOUNG_GENERATION_MB: mb } = await built<typeof DormantAhead>('src/remind/dormant-ahead.js');
    const start = await built<typeof BesideStart>('src/db/beside-start.js');
    const dir = fs.mkdtempSync(path.join(ROOT, '.tmp-ahead-'));
    try {
      const file = path.join(dir, 'big.db');
      fs.writeFileSync(file, '');
      makeDormantThreadAhead({ kind: 'sqlite', path: file });
      makeDormantThreadAhead({ kind: 'sqlite', path: path.join(dir, 'none.db') });
      makeDormantThreadAhead({ kind: 'postgres', url: 'postgres://u@h/db' });
      expect(start.takeBesideThread(mb)).toBeUndefined();
      fs.truncateSync(file, 48 * 1024 * 1024); // sparse: its size, no blocks
      makeDormantThreadAhead({ kind: 'sqlite', path: file });
      const worker = start.takeBesideThread(mb);
      expect(worker).toBeDefined();
      await worker!.terminate();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a worker thread that cannot open its connection leaves the seat scan to this thread: the same seats', async () => {
    await dormancySet();
    const dist = await built<typeof DormantSeats>('src/remind/dormant-seats.js');
    const here = await dist.dormantSeats(t.db, AS_OF, undefined, true);
    expect(here.ids.length).toBe(3);
    // the worker's connection cannot be made (PostgreSQL: a port nobody listens on; SQLite: a file that is
    // not there), while this thread's handle works as before
    const broken: DbHandle = onPostgres
      ? { ...t.handle, pool: { options: { ...t.handle.pool!.options, port: 1, connectionTimeoutMillis: 2000 } } as unknown as pg.Pool }
      : { ...t.handle, path: path.join(ROOT, 'no-such-dir', 'gone.db') };
    const scan = await dist.startDormantSeats(broken, AS_OF, 0);
    try {
      expect(await scan.result()).toEqual(here);
    } finally {
      await scan.stop();
    }
  });

  it('the worker thread of the seat scan loads neither kysely nor the migrations (its modules, as built, import only light ones)', () => {
    // every module a built file imports at run time (type imports are gone from the JavaScript), followed
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else reached.add(spec);
      }
    };
    visit(path.join(ROOT, 'dist/src/db/beside-worker.js'));
    visit(path.join(ROOT, 'dist/src/remind/dormant-rows.js'));
    const names = [...reached].map((f) => (path.isAbsolute(f) ? path.relative(path.join(ROOT, 'dist/src'), f) : f));
    expect(names).not.toContain('#kysely');
    expect(names).not.toContain('kysely');
    expect(names).not.toContain('db/connection.js');
    expect(names.filter((n) => !n.startsWith('node:')).sort()).toEqual([
      'db/beside-worker.js',
      'errors.js',
      'lib/dates.js',
      'remind/dormant-rows.js',
      'remind/schedule.js',
    ]);
  });

  async function dormancySet(): Promise<void> {
    const sub = await seed.subscription('S-RUN', { account: school, start_date: '2026-01-15', end_date: '2027-01-14' });
    const c = (e: string, o = {}) => seed.contact(school, e, o);
    await seed.seat(sub, await c('idle@s.example'), { last_login_at: '2026-08-25T23:59:59Z' }); // 3m due 11-25
    await seed.seat(sub, await c('never@s.example'), { invited_at: '2026-05-20', last_login_at: null }); // 6m due 11-20
    await seed.seat(sub, await c('fresh@s.example'), { last_login_at: '2026-10-01T08:00:00Z' });
    const evented = await seed.seat(sub, await c('event@s.example'), { last_login_at: '2026-08-01T08:00:00Z' });
    await seed.login(evented, '2026-11-02T08:00:00Z'); // a later login event wins over the stored value
    await seed.seat(sub, await c('removed@s.example'), { status: 'removed', last_login_at: '2026-08-01T08:00:00Z' });
    await seed.seat(sub, await c('gone@s.example', { status: 'removed' }), { last_login_at: '2026-08-01T08:00:00Z' });
    const ended = await seed.subscription('S-ENDED', { account: school, start_date: '2025-01-15', end_date: '2026-01-14' });
    await seed.seat(ended, await c('ended@s.example'), { last_login_at: '2025-08-01T08:00:00Z' });
    const renewed = await seed.subscription('S-RENEWED', { account: school, start_date: '2025-12-01', end_date: '2026-11-30' });
    await seed.subscription('S-RENEWED-NEXT', { account: school, start_date: '2026-12-01', end_date: '2027-11-30', renewed_from: renewed });
    await seed.seat(renewed, await c('still@s.example'), { last_login_at: '2026-08-20T08:00:00Z' });
  }

  it('a new login starts a new dormancy cycle; activation is due on paid_at until delivered', async () => {
    const sub = await seed.subscription('S-1', {
      account: school,
      end_date: '2027-12-31',
      paid_at: '2026-11-20',
      activation_code: 'ABCD-EFGH-JKLM-NPQR',
    });
    const seat = await seed.seat(sub, await seed.contact(school, 't@s.example'), { last_login_at: '2026-08-20T08:00:00Z' });
    expect(await due()).toEqual(['S-1 activation -> anna', 'S-1 dormant-3m t@s.example -> anna']);
    const marked = await run('mark-sent');
    expect(marked.notices.map((n) => [n.kind, n.status, n.activation_code])).toEqual([
      ['activation', 'sent', 'ABCD-EFGH-JKLM-NPQR'],
      ['dormancy', 'sent', null],
    ]);
    expect(await due('2026-12-01')).toEqual([]);
    await seed.login(seat, '2026-12-02T09:00:00Z');
    expect(await due('2027-03-01')).toEqual([]);
    expect(await due('2027-03-02')).toEqual(['S-1 dormant-3m t@s.example -> anna']);
    const cycles = await t.db.selectFrom('notices').select(['stage', 'cycle']).where('kind', '=', 'dormancy').execute();
    expect(cycles).toEqual([{ stage: 'dormant-3m', cycle: '2026-08-20' }]);
  });
});

describe('remind: the ledger', () => {
  it('preview records nothing; a sending run records earlier unsent stages as skipped; a second run has nothing', async () => {
    await seed.subscription('S-1', { account: school, end_date: '2026-11-11' });
    const preview = await run('preview');
    expect(preview.notices.map((n) => [n.stage, n.status])).toEqual([['renewal+2w', 'due']]);
    expect(await ledger()).toEqual([]);
    await run('mark-sent');
    expect(await ledger()).toEqual(['S-1 renewal+2w sent', 'S-1 renewal-6w skipped', 'S-1 renewal-2w skipped', 'S-1 renewal-0d skipped']);
    expect((await run('mark-sent')).notices).toEqual([]);
    expect(await due()).toEqual([]);
  });

  it('in_doubt notices are reported and not due unless retried; failed ones are due again', async () => {
    await seed.subscription('S-1', { account: school, end_date: '2026-12-09' });
    await seed.subscription('S-2', { account: school, end_date: '2026-12-09' });
    const plan = await computeDue(t.db, AS_OF);
    await writeTx(t.db, (trx) => claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'r1' }));
    await t.db.updateTable('notices').set({ status: 'in_doubt' }).where('status', '=', 'claimed').execute();
    await t.db
      .updateTable('notices')
      .set({ status: 'failed', reason: 'boom' })
      .where('subscription_external_id', '=', 'S-2')
      .where('stage', '=', 'renewal-2w')
      .execute();
    const again = await computeDue(t.db, AS_OF);
    expect(again.due.map((n) => [n.sub.external_id, n.prior])).toEqual([['S-2', 'failed']]);
    expect(again.inDoubt.map((n) => n.subscription_external_id)).toEqual(['S-1']);
    const retry = await computeDue(t.db, AS_OF, { retryInDoubt: true });
    expect(retry.due.map((n) => n.sub.external_id)).toEqual(['S-1', 'S-2']);
    const marked = await run('mark-sent', AS_OF, { retryInDoubt: true });
    expect(marked.notices.map((n) => n.subscription_external_id)).toEqual(['S-1', 'S-2']);
    expect(await ledger()).toEqual(['S-1 renewal-2w sent', 'S-2 renewal-2w sent', 'S-1 renewal-6w skipped', 'S-2 renewal-6w skipped']);
  });

  it('the unique key makes a second claim of the same notice get nothing; eligibility is re-checked at claim time', async () => {
    const old = await seed.subscription('S-1', { account: school, end_date: '2026-12-09' });
    await seed.subscription('S-2', { account: school, end_date: '2026-12-09' });
    const plan = await computeDue(t.db, AS_OF);
    const first = await writeTx(t.db, (trx) => claimNotices(trx, testOp(), plan.due.slice(1), { status: 'claimed', runId: 'a' }));
    expect(first.map((n) => n.sub.external_id)).toEqual(['S-2']);
    // meanwhile S-1 was renewed: the overlapping run's claim re-checks and takes neither notice
    await seed.subscription('S-1-NEXT', { account: school, start_date: '2026-12-10', end_date: '2027-12-09', renewed_from: old });
    const second = await writeTx(t.db, (trx) => claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'b' }));
    expect(second).toEqual([]);
    await expect(
      t.db
        .insertInto('notices')
        .values({
          kind: 'renewal',
          subject_id: 2,
          stage: 'renewal-2w',
          cycle: '2026-12-09',
          due_date: '2026-11-25',
          status: 'sent',
          account_external_id: 'x',
          subscription_external_id: 'x',
          run_id: 'c',
          created_at: 'x',
          updated_at: 'x',
        })
        .execute(),
    ).rejects.toThrow(/UNIQUE|duplicate key/);
  });

  it('sorts by recipient_email, kind, stage, subscription_external_id, contact_email', async () => {
    const zed = await seed.manager('zed');
    const other = await seed.account('SCH-2', { manager: zed });
    await seed.subscription('S-B', { account: school, end_date: '2026-12-09' });
    await seed.subscription('S-A', { account: school, end_date: '2026-11-11' });
    await seed.subscription('S-C', { account: other, end_date: '2026-12-09' });
    const s = await seed.subscription('S-0', { account: school, end_date: '2026-12-09', paid_at: '2026-11-25', activation_code: 'X' });
    await seed.seat(s, await seed.contact(school, 'b@s.example'), { last_login_at: '2026-08-20T00:00:00Z' });
    await seed.seat(s, await seed.contact(school, 'a@s.example'), { last_login_at: '2026-08-20T00:00:00Z' });
    const r = await run('preview');
    expect(r.notices.map((n) => [n.recipient_email, n.kind, n.stage, n.subscription_external_id, n.contact_email])).toEqual([
      ['anna@vendor.example', 'activation', 'activation', 'S-0', null],
      ['anna@vendor.example', 'dormancy', 'dormant-3m', 'S-0', 'a@s.example'],
      ['anna@vendor.example', 'dormancy', 'dormant-3m', 'S-0', 'b@s.example'],
      ['anna@vendor.example', 'renewal', 'renewal+2w', 'S-A', null],
      ['anna@vendor.example', 'renewal', 'renewal-2w', 'S-0', null],
      ['anna@vendor.example', 'renewal', 'renewal-2w', 'S-B', null],
      ['zed@vendor.example', 'renewal', 'renewal-2w', 'S-C', null],
    ]);
    expect(Object.keys(r.notices[0]!)).toEqual(
      expect.arrayContaining([
        'kind',
        'stage',
        'due_date',
        'recipient_login',
        'recipient_email',
        'account_external_id',
        'subscription_external_id',
        'contact_email',
      ]),
    );
  });
});

describe('remind at scale', () => {
  it('re-checks more seats by id than one query has room for values (the claim of 160,000 notices)', async () => {
    const { collectCandidates } = await import('../../src/remind/candidates.js');
    const sub = await seed.subscription('S-BIG', { account: school, end_date: '2027-08-31' });
    const seat = await seed.seat(sub, await seed.contact(school, 'idle@school.example'), { last_login_at: '2026-08-01T10:00:00Z' });
    // 70,000 ids: above SQLite's 32,766 and PostgreSQL's 65,535 bound values per statement
    const seatIds = [seat, ...Array.from({ length: 70_000 }, (_, i) => seat + 1 + i)];
    const { candidates } = await collectCandidates(t.db, AS_OF, { only: { subscriptionIds: [sub], seatIds } });
    expect(candidates.map((c) => `${c.kind} ${c.stage} ${c.contact_email}`)).toEqual(['dormancy dormant-3m idle@school.example']);
  });
});
