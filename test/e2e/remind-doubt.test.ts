import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeTx } from '../../src/db/tx.js';
import { computeDue } from '../../src/remind/due.js';
import { claimNotices } from '../../src/remind/ledger.js';
import { dbFiles, runCli, runJson, spawnBinary, spawnCli } from '../helpers/cli.js';
import { holdWriteLock, seededDb, tempDir, testOp } from '../helpers/db.js';
import { auditActor } from '../helpers/engine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

// e2e runs have ACCTMGR_TODAY=2026-11-25
interface Notice {
  id: number;
  status: string;
  recipient_login: string;
  subscription_external_id: string;
  reason: string | null;
}

const given = dbFiles();

/** `managers` managers m0, m1, …, each with `perManager` subscriptions whose renewal-2w is due. */
function seedDb(managers: number, perManager: number, inDoubt = false): Promise<string> {
  return seededDb(async ({ db, seed: s }) => {
    for (let m = 0; m < managers; m++) {
      const account = await s.account(`A-${m}`, {
        manager: await s.manager(`m${m}`),
        name: m === 0 ? 'СУ „Христо Ботев“' : `School ${m}`,
        locale: m === 0 ? 'bg' : 'en',
      });
      for (let i = 0; i < perManager; i++) await s.subscription(`S-${m}-${i}`, { account, end_date: '2026-12-09' });
    }
    if (inDoubt) {
      // what a run killed while sending leaves behind, on a host that no longer runs it
      const plan = await computeDue(db, '2026-11-25');
      await writeTx(db, (trx) => claimNotices(trx, testOp(), plan.due, { status: 'claimed', runId: 'killed', claimant: 'old-host:1' }));
      await db.updateTable('notices').set({ status: 'in_doubt' }).where('status', '=', 'claimed').execute();
    }
  }, given.fresh());
}

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});
afterEach(() => {
  smtp.messages.length = 0;
  smtp.hang = false;
  smtp.onMessage = undefined;
});
const mailEnv = () => ({
  ACCTMGR_SMTP_URL: smtp.url,
  ACCTMGR_MAIL_FROM: 'reminders@vendor.example',
  ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
});
const list = (db: string, status: string) => runJson<Notice[]>(['notices', 'list', '--status', status], { db });
const logins = (ns: Notice[]) => [...new Set(ns.map((n) => n.recipient_login))].sort();

async function expectCleanDb(db: string): Promise<void> {
  const check = await runCli(['db', 'check'], { db });
  expect(check.code, check.stdout + check.stderr).toBe(0);
}

describe('remind: in-doubt notices settled right (end to end)', () => {
  // processes: each claims with its own pid (SQLite) or run lock (PostgreSQL), and writers queue between processes
  it('two concurrent --send --retry-in-doubt runs deliver every in-doubt notice once', async () => {
    const db = await seedDb(6, 10, true);
    expect(await list(db, 'in_doubt')).toHaveLength(60);
    // hold the write lock until both runs have read the ledger and wait to claim: the worst overlap
    const unlock = await holdWriteLock(db);
    const args = ['remind', '--send', '--retry-in-doubt'];
    const runs = Promise.all([spawnCli(args, { db, env: mailEnv() }), spawnCli(args, { db, env: mailEnv() })]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await unlock();
    const [a, b] = await runs;
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const refs = smtp.messages.flatMap((m) => m.refs);
    expect(refs).toHaveLength(60);
    expect(new Set(refs).size).toBe(60);
    expect(await list(db, 'sent')).toHaveLength(60);
    await expectCleanDb(db);
  });

  // a process, to kill
  it('a run killed while the first of five digests is at the server: that one in_doubt, the other four claimed and sent by the next run', async () => {
    const db = await seedDb(5, 2);
    smtp.hang = true;
    const child = spawnBinary(['remind', '--send'], { db, env: mailEnv(), stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => (smtp.onMessage = () => resolve()));
    child.kill('SIGKILL');
    await exited;
    smtp.hang = false;
    const doubt = await list(db, 'in_doubt');
    expect(logins(doubt)).toEqual(['m0']);
    expect(doubt).toHaveLength(2);
    expect(logins(await list(db, 'claimed'))).toEqual(['m1', 'm2', 'm3', 'm4']);
    const table = await runCli(['notices', 'list'], { db });
    expect(table.stdout).toMatch(/renewal-2w.*claimed.*m1/);
    const x = await runJson<{ stages: { stage: string; state: string }[] }>(['remind', '--explain', 'S-3-1'], { db });
    expect(x.stages.find((s) => s.stage === 'renewal-2w')!.state).toBe('claimed');

    const next = await runCli(['remind', '--send'], { db, env: mailEnv() });
    expect(next.code).toBe(1);
    expect(smtp.messages.map((m) => [m.to[0], m.refs.length])).toEqual([1, 2, 3, 4].map((m) => [`m${m}@vendor.example`, 2]));
    expect(next.stderr).toContain('sent 8 notice(s) in 4 email(s) on 2026-11-25; 0 failed, 0 in doubt');
    for (const n of doubt) {
      expect(next.stderr).toContain(
        `error: in doubt since an earlier run, not sent again: renewal renewal-2w of subscription ${n.subscription_external_id} (account A-0) to m0@vendor.example (notice ${n.id}); ` +
          `check the mail server's log, then record what happened: acctmgr notices settle ${n.id} --as sent|unsent (or rerun with --retry-in-doubt to send it again)`,
      );
    }
    expect(await list(db, 'claimed')).toEqual([]);
    expect(await list(db, 'sent')).toHaveLength(8);
    await expectCleanDb(db);
  });

  it('notices settle: all or nothing, exit 1 for an id not in doubt; --json; audited; reported until settled', async () => {
    const db = await seedDb(2, 1, true);
    const [first, second] = await list(db, 'in_doubt');
    const later = await runCli(['remind', '--as-of', '2027-02-01'], { db });
    expect(later.code).toBe(1);
    expect(later.stderr.match(/error: in doubt since an earlier run/g)).toHaveLength(2);
    expect(later.stderr).not.toContain('--retry-in-doubt to send it again');

    const sent = await runJson<Notice[]>(['notices', 'settle', String(first!.id), '--as', 'sent', '--actor', 'maria'], { db });
    expect(sent).toMatchObject([{ id: first!.id, status: 'sent', reason: 'settled as sent by maria' }]);
    const again = await runCli(['notices', 'settle', String(first!.id), String(second!.id), '--as', 'unsent'], { db });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: notice ${first!.id} is sent, not in_doubt: nothing settled`);
    expect((await runCli(['notices', 'settle', '999', '--as', 'sent'], { db })).code).toBe(1);
    expect(await list(db, 'in_doubt')).toMatchObject([{ id: second!.id }]);
    expect((await runCli(['notices', 'settle', String(second!.id)], { db })).code).toBe(2);
    expect((await runCli(['notices', 'settle', 'x1', '--as', 'sent'], { db })).code).toBe(2);
    expect((await runCli(['notices', 'settle', String(second!.id), '--as', 'maybe'], { db })).code).toBe(2);

    const unsent = await runCli(['notices', 'settle', String(second!.id), '--as', 'unsent', '--actor', 'maria'], { db });
    expect(unsent).toMatchObject({ code: 0, stdout: `${second!.id}\n`, stderr: 'settled 1 notice(s) as unsent\n' });
    expect((await list(db, 'failed'))[0]).toMatchObject({ id: second!.id, reason: 'settled as unsent by maria' });
    // the actor is who ran the command (the OS user; on PostgreSQL the database role), --actor beside it
    const audit = await runJson<{ actor: string; on_behalf_of: string | null; action: string; entity: string; key: string }[]>(
      ['audit', '--entity', 'notice'],
      { db },
    );
    const actor = auditActor(os.userInfo().username);
    expect(audit.map((r) => [r.actor, r.on_behalf_of, r.action, r.entity, r.key])).toEqual([
      [actor, 'maria', 'settle', 'notice', String(first!.id)],
      [actor, 'maria', 'settle', 'notice', String(second!.id)],
    ]);
    // settled: no longer reported; the unsent one is retried while its stage lasts
    const retried = await runCli(['remind', '--send'], { db, env: mailEnv() });
    expect(retried.code, retried.stderr).toBe(0);
    expect(smtp.messages.map((m) => m.to[0])).toEqual([`m1@vendor.example`]);
    await expectCleanDb(db);
  });
});
