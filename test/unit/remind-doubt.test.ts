import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/audit.js';
import { liveness, type Liveness } from '../../src/db/liveness.js';
import { writeTx } from '../../src/db/tx.js';
import { NotFoundError, RefusedError } from '../../src/errors.js';
import { listNotices } from '../../src/notices/service.js';
import { settleInDoubt } from '../../src/notices/settle.js';
import { computeDue } from '../../src/remind/due.js';
import { claimNotices } from '../../src/remind/ledger.js';
import { assignManager } from '../../src/composites/accounts.js';
import { claimManagerChanged, collectManagerChanged } from '../../src/remind/manager-changed.js';
import { noteLines } from '../../src/remind/report.js';
import { runRemind, type RunMode, type RunOptions } from '../../src/remind/run.js';
import { eachTestDb, openTestDb, testOp } from '../helpers/db.js';
import { auditActor } from '../helpers/engine.js';
import type { Seeder } from '../helpers/seed.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let seed: Seeder;
const t = eachTestDb(async () => {
  seed = t.seed;
  smtp = await startSmtp();
});
afterEach(async () => {
  await smtp.close();
});

/** One renewal-2w notice (due 2026-11-25, sendable until 2026-12-09) per manager. */
async function oneEach(...logins: string[]): Promise<void> {
  for (const login of logins) {
    const account = await seed.account(`ACC-${login}`, { manager: await seed.manager(login) });
    await seed.subscription(`S-${login}`, { account, end_date: '2026-12-09' });
  }
}

/** A run as the command makes it: with the engine's liveness (src/db/liveness.ts), released at the end. */
function run(mode: RunMode, extra: Partial<RunOptions> & { asOf?: string } = {}) {
  const mail = { smtpUrl: smtp.url, from: 'reminders@vendor.example', timeoutMs: 5000 };
  const live = liveness(t.handle);
  return runRemind(t.db, testOp({ asOf: extra.asOf ?? '2026-11-25' }), {
    mode,
    mail,
    tx: (fn) => writeTx(t.db, fn),
    liveness: live,
    ...extra,
  }).finally(() => live.release());
}

/**
 * Another run, still running, as the engine tells: on PostgreSQL its lock held on another connection
 * (its host does not matter), on SQLite a process that runs on this host. end() makes it gone.
 */
async function otherRun(runId: string): Promise<{ claimant: string; end(): Promise<void> }> {
  if (!t.handle.pool) {
    let claimant = `${os.hostname()}:${process.ppid}`;
    return {
      get claimant() {
        return claimant;
      },
      end: async () => {
        claimant = 'elsewhere:1';
        await t.db.updateTable('notices').set({ claimed_by: claimant }).where('run_id', '=', runId).execute();
      },
    };
  }
  const other = await openTestDb(t.path);
  const live: Liveness = liveness(other);
  await live.hold(runId);
  return {
    claimant: 'another-host:4242',
    end: async () => {
      await live.release();
      await other.close();
    },
  };
}

/** What a run killed while delivering leaves behind: its notices claimed, then put in doubt. */
async function leftInDoubt(): Promise<void> {
  const plan = await computeDue(t.db, '2026-11-25');
  await writeTx(t.db, (trx) => claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'dead', claimant: 'gone:1' }));
  await t.db.updateTable('notices').set({ status: 'in_doubt', attempts: 1 }).where('status', '=', 'claimed').execute();
}

const byStatus = async () => (await listNotices(t.db)).filter((n) => n.status !== 'skipped').map((n) => `${n.recipient_login}:${n.status}`);

describe('remind: claimed, then in doubt only while its digest goes out', () => {
  it('notices wait as claimed; only the digest at the server is in_doubt', async () => {
    await oneEach('anna', 'ben', 'cleo');
    const seen: string[][] = [];
    // the ledger as another connection sees it while the digest is at the server
    const reader = await openTestDb(t.path);
    smtp.onMessage = async () => {
      const rows = await reader.db
        .selectFrom('notices')
        .select(['recipient_login', 'status'])
        .where('status', '!=', 'skipped')
        .orderBy('recipient_login')
        .execute();
      seen.push(rows.map((r) => `${r.recipient_login}:${r.status}`));
    };
    const r = await run('send').finally(() => reader.close());
    expect(r.emails).toBe(3);
    expect(seen).toEqual([
      ['anna:in_doubt', 'ben:claimed', 'cleo:claimed'],
      ['anna:sent', 'ben:in_doubt', 'cleo:claimed'],
      ['anna:sent', 'ben:sent', 'cleo:in_doubt'],
    ]);
    expect((await listNotices(t.db, { status: 'sent' })).map((n) => n.attempts)).toEqual([1, 1, 1]);
  });

  it("a gone run's claimed notices are released to the next run without a flag; a live run's are left to it", async () => {
    await oneEach('anna', 'ben');
    const plan = await computeDue(t.db, '2026-11-25');
    const other = await otherRun('crashed');
    await writeTx(t.db, (trx) => claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'crashed', claimant: other.claimant }));
    expect(await listNotices(t.db, { status: 'CLAIMED' })).toHaveLength(2);
    const meanwhile = await run('send');
    expect([meanwhile.notices, meanwhile.in_progress.map((n) => n.status), smtp.messages]).toEqual([[], ['claimed', 'claimed'], []]);
    await other.end();
    const next = await run('send');
    expect(next.notices.map((n) => `${n.recipient_login}:${n.status}`)).toEqual(['anna:sent', 'ben:sent']);
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['anna@vendor.example', 'ben@vendor.example']);
    expect(await byStatus()).toEqual(['anna:sent', 'ben:sent']);
  });
});

describe("remind: a live run's customer notices", () => {
  it("are left to it and counted in the note with the managers' notices; sent by the next run once it is gone", async () => {
    await oneEach('anna');
    await seed.manager('ben');
    const school = await seed.account('SCH-1', { manager: await seed.manager('cleo') });
    await seed.contact(school, 'head@oak.example', { is_primary: true, name: 'Head' });
    await writeTx(t.db, (trx) => assignManager(trx, testOp(), 'SCH-1', 'ben'));
    const plan = await computeDue(t.db, '2026-11-25');
    const changed = await collectManagerChanged(t.db, '2026-11-25');
    expect(changed.map((n) => n.recipient.email)).toEqual(['head@oak.example']);
    const other = await otherRun('busy');
    await writeTx(t.db, async (trx) => {
      await claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'busy', claimant: other.claimant });
      await claimManagerChanged(trx, testOp(), changed, 'claimed', 'busy', other.claimant);
    });
    const meanwhile = await run('send');
    expect([meanwhile.notices, meanwhile.in_progress.map((n) => `${n.kind}:${n.status}`), smtp.messages]).toEqual([
      [],
      ['renewal:claimed', 'manager-changed:claimed'],
      [],
    ]);
    expect(noteLines(meanwhile)).toEqual(['note: 2 notice(s) due are being delivered by another run that is still running; left to it']);
    await other.end();
    const next = await run('send');
    expect(next.notices.map((n) => `${n.kind}:${n.status}`).sort()).toEqual(['manager-changed:sent', 'renewal:sent']);
    expect(next.in_progress).toEqual([]);
  });
});

describe('remind --retry-in-doubt: the re-claim is a compare-and-set', () => {
  it('of two runs that read the same in-doubt notices, only one delivers them, even once they are in doubt again', async () => {
    await oneEach('anna', 'ben');
    await leftInDoubt();
    let release!: () => void;
    smtp.gate = new Promise<void>((resolve) => (release = resolve));
    const atServer = new Promise<void>((resolve) => (smtp.onMessage = () => resolve()));
    let bHasRead!: () => void;
    const bRead = new Promise<void>((resolve) => (bHasRead = resolve));
    // a claims only once b has read the ledger; b claims while a's first digest is at the server
    const a = run('send', {
      retryInDoubt: true,
      tx: async (fn) => {
        await bRead;
        return writeTx(t.db, fn);
      },
    });
    const b = run('send', {
      retryInDoubt: true,
      tx: async (fn) => {
        bHasRead();
        await atServer;
        return writeTx(t.db, fn).finally(release);
      },
    });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.notices.map((n) => `${n.recipient_login}:${n.status}`)).toEqual(['anna:sent', 'ben:sent']);
    expect(rb.notices).toEqual([]);
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['anna@vendor.example', 'ben@vendor.example']);
    expect(await byStatus()).toEqual(['anna:sent', 'ben:sent']);
  });
});

describe('in-doubt notices are reported until settled', () => {
  it('after its stage window passes, every run still reports the notice (with its id) until someone settles it', async () => {
    await oneEach('anna');
    await leftInDoubt();
    const id = (await listNotices(t.db, { status: 'in_doubt' }))[0]!.id;
    const inWindow = await run('preview');
    expect(inWindow.in_doubt_earlier.map((n) => [n.id, n.sendable])).toEqual([[id, true]]);
    for (const asOf of ['2026-12-09', '2027-03-01']) {
      const later = await run('send', { asOf });
      expect(later.in_doubt_earlier.map((n) => [n.id, n.stage, n.sendable])).toEqual([[id, 'renewal-2w', false]]);
    }
    const [settled] = await writeTx(t.db, (trx) =>
      settleInDoubt(trx, testOp({ actor: 'maria', now: '2027-03-02T08:00:00Z' }), [id], 'unsent'),
    );
    expect(settled).toMatchObject({
      id,
      status: 'failed',
      reason: 'settled as unsent by maria',
      sent_at: null,
      updated_at: '2027-03-02T08:00:00Z',
    });
    const after = await run('send', { asOf: '2027-03-02' });
    expect(after.in_doubt_earlier).toEqual([]);
    // its window is over: a failed notice is not retried, and nothing else of it goes out
    expect(after.notices.filter((n) => n.stage === 'renewal-2w')).toEqual([]);
  });

  it('unsent: failed, and retried while its window lasts; sent: recorded delivered, never resent', async () => {
    await oneEach('anna', 'ben');
    await leftInDoubt();
    const [anna, ben] = await listNotices(t.db, { status: 'in_doubt' });
    await writeTx(t.db, (trx) => settleInDoubt(trx, testOp(), [anna!.id], 'unsent'));
    await writeTx(t.db, (trx) => settleInDoubt(trx, testOp({ now: '2026-11-25T10:00:00Z' }), [ben!.id], 'sent'));
    expect((await listNotices(t.db, { recipient: 'ben' })).find((n) => n.id === ben!.id)).toMatchObject({
      status: 'sent',
      sent_at: '2026-11-25T10:00:00Z',
      reason: 'settled as sent by tester',
    });
    const r = await run('send');
    expect([r.notices.map((n) => `${n.recipient_login}:${n.status}`), r.in_doubt_earlier]).toEqual([['anna:sent'], []]);
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['anna@vendor.example']);
  });

  it('all or nothing: an id not in doubt, unknown, or held by a run that still runs changes nothing', async () => {
    await oneEach('anna', 'ben');
    await leftInDoubt();
    const [anna, ben] = await listNotices(t.db, { status: 'in_doubt' });
    await t.db.updateTable('notices').set({ status: 'sent' }).where('id', '=', ben!.id).execute();
    const before = await listNotices(t.db);
    const settle = (ids: number[], isLive?: (h: { claimed_by: string | null }) => Promise<boolean>) =>
      writeTx(t.db, (trx) => settleInDoubt(trx, testOp(), ids, 'sent', { isLive }));
    const notInDoubt = await settle([anna!.id, ben!.id]).catch((e: unknown) => e);
    expect(notInDoubt).toBeInstanceOf(RefusedError);
    expect((notInDoubt as Error).message).toBe(`notice ${ben!.id} is sent, not in_doubt: nothing settled`);
    await expect(settle([anna!.id, 999])).rejects.toBeInstanceOf(NotFoundError);
    const live = await settle([anna!.id], (h) => Promise.resolve(h.claimed_by === 'gone:1')).catch((e: unknown) => e);
    expect((live as Error).message).toBe(`notice ${anna!.id} is being delivered by run dead (gone:1), which still runs: nothing settled`);
    expect(await listNotices(t.db)).toEqual(before);
    expect(await listAudit(t.db, { entity: 'notice' })).toEqual([]);
  });

  it('is audited per notice, entity notice, with the ledger record before and after', async () => {
    await oneEach('anna');
    await leftInDoubt();
    const [n] = await listNotices(t.db, { status: 'in_doubt' });
    await writeTx(t.db, (trx) =>
      settleInDoubt(trx, testOp({ actor: 'maria', user: 'os-user', onBehalfOf: 'maria' }), [n!.id, n!.id], 'sent'),
    );
    const rows = await listAudit(t.db, { entity: 'notice' });
    expect(rows.map((r) => [r.actor, r.on_behalf_of, r.action, r.key])).toEqual([
      [auditActor('os-user'), 'maria', 'settle', String(n!.id)],
    ]);
    expect(rows[0]!.before).toMatchObject({ id: n!.id, status: 'in_doubt', reason: null });
    expect(rows[0]!.after).toMatchObject({ id: n!.id, status: 'sent', reason: 'settled as sent by maria' });
  });
});
