import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson, spawnCli } from '../helpers/cli.js';
import { seededDb, tempDir } from '../helpers/db.js';
import type { Seeder } from '../helpers/seed.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

// e2e runs have ACCTMGR_TODAY=2026-11-25
/** This test's database, filled by the seeder; `db check` must be clean on it after the test. */
const given = dbFiles();
function seedDb(fill: (s: Seeder) => Promise<void>): Promise<string> {
  return seededDb((t) => fill(t.seed), given.fresh());
}

/** Two managers, an English and a Bulgarian school, renewals, a dormant teacher, an activation code. */
async function standard(s: Seeder, subscriptions = 2): Promise<void> {
  const anna = await s.manager('anna');
  const ben = await s.manager('ben');
  const en = await s.account('SCH-EN', { manager: anna, name: 'Oak School' });
  const bg = await s.account('SCH-BG', { manager: ben, name: 'СУ „Иван Вазов“', locale: 'bg' });
  for (let i = 1; i <= subscriptions; i++) await s.subscription(`S-EN-${i}`, { account: en, end_date: '2026-12-09' });
  const b = await s.subscription('S-BG-1', {
    account: bg,
    end_date: '2027-08-31',
    paid_at: '2026-11-20',
    activation_code: 'KQ7H-M3XW-RP9D-TB4E',
  });
  await s.seat(b, await s.contact(bg, 'uchitel@bg.example'), { last_login_at: '2026-08-25T10:00:00Z' });
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
  smtp.reject.clear();
});
const mailEnv = () => ({
  ACCTMGR_SMTP_URL: smtp.url,
  ACCTMGR_MAIL_FROM: 'reminders@vendor.example',
  ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'),
});

describe('acctmgr remind (end to end)', () => {
  it('previews as a table or JSON in the contract order, records nothing, --quiet prints nothing', async () => {
    const db = await seedDb((s) => standard(s));
    const list = await runJson<Record<string, unknown>[]>(['remind'], { db });
    expect(list.map((n) => [n.recipient_email, n.kind, n.stage, n.subscription_external_id, n.contact_email])).toEqual([
      ['anna@vendor.example', 'renewal', 'renewal-2w', 'S-EN-1', null],
      ['anna@vendor.example', 'renewal', 'renewal-2w', 'S-EN-2', null],
      ['ben@vendor.example', 'activation', 'activation', 'S-BG-1', null],
      ['ben@vendor.example', 'dormancy', 'dormant-3m', 'S-BG-1', 'uchitel@bg.example'],
    ]);
    expect(list[0]).toMatchObject({ due_date: '2026-11-25', recipient_login: 'anna', account_external_id: 'SCH-EN', contact_email: null });
    const table = await runCli(['remind'], { db });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('recipient_email');
    expect(table.stderr).toContain('4 notice(s) due on 2026-11-25');
    const quiet = await runCli(['remind', '--quiet'], { db });
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const later = await runJson<{ stage: string }[]>(['remind', '--as-of', '2026-12-09'], { db });
    expect(later.map((n) => n.stage)).toEqual(['renewal-0d', 'renewal-0d', 'activation', 'dormant-3m']);
    expect(await runJson(['notices', 'list'], { db })).toEqual([]);
  });

  it('usage errors exit 2; no recipient is an error line and exit 1', async () => {
    const db = await seedDb(async (s) => {
      await standard(s);
      await s.subscription('S-TUT', { account: await s.account('TUT-1', { type: 'tutor' }), manager: null, end_date: '2026-12-09' });
    });
    const noSmtp = await runCli(['remind', '--send'], {
      db,
      env: { ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'), ACCTMGR_SMTP_URL: '', ACCTMGR_MAIL_FROM: '' },
    });
    expect(noSmtp.code).toBe(2);
    expect(noSmtp.stderr).toContain('--send needs SMTP configuration: ACCTMGR_SMTP_URL (smtp_url), ACCTMGR_MAIL_FROM (mail_from) missing');
    expect((await runCli(['remind', '--send', '--mark-sent'], { db })).code).toBe(2);
    expect((await runCli(['remind', '--explain-seat', 'x@y.example'], { db })).code).toBe(2);
    // an option that does not apply is refused, never dropped: --subscription alone widened a --send to every
    // subscription, and --explain turned a --send into a read-only run with exit 0
    const refused = async (args: string[], message: string) => {
      const r = await runCli(args, { db });
      expect({ code: r.code, stderr: r.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: `error: ${message}` });
    };
    await refused(
      ['remind', '--mark-sent', '--subscription', 'S-EN-1'],
      '--subscription goes with --explain-seat EMAIL (remind --send and --mark-sent act on every due notice)',
    );
    await refused(
      ['remind', '--explain', 'S-EN-1', '--send'],
      '--explain shows one schedule and sends or records nothing: give it without --send',
    );
    await refused(
      ['remind', '--explain', 'S-EN-1', '--mark-sent'],
      '--explain shows one schedule and sends or records nothing: give it without --mark-sent',
    );
    await refused(
      ['remind', '--explain-seat', 'uchitel@bg.example', '--subscription', 'S-BG-1', '--preview-email'],
      '--explain-seat shows one schedule and sends or records nothing: give it without --preview-email',
    );
    await refused(
      ['remind', '--explain', 'S-EN-1', '--explain-seat', 'uchitel@bg.example', '--subscription', 'S-BG-1'],
      '--explain and --explain-seat exclude each other',
    );
    expect(await runJson(['notices', 'list'], { db })).toEqual([]);
    // --quiet: the explanation's header lines (on stderr when piped) are messages, not errors
    const quiet = await runCli(['remind', '--explain', 'S-EN-1', '--quiet'], { db });
    expect({ code: quiet.code, stderr: quiet.stderr }).toEqual({ code: 0, stderr: '' });
    expect(quiet.stdout).toContain('renewal-2w');
    // --preview-email --recipient: text that is no address matches nothing: exit 1, as notices list says
    const nobody = await runCli(['remind', '--preview-email', '--recipient', 'not an email'], { db });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^error: recipient: "not an email": /);
    // a notice id beyond 2^53 − 1 is not one (SQLite looked up a rounded one, PostgreSQL refused a bigint)
    const big = await runCli(['notices', 'settle', '99999999999999999999', '--as', 'sent'], { db });
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('"99999999999999999999" is not a notice id (larger than 9007199254740991)');
    expect((await runCli(['remind', '--as-of', '2026-11'], { db })).code).toBe(2);
    expect((await runCli(['notices', 'list', '--status', 'lost'], { db })).code).toBe(1);
    const orphan = await runCli(['remind', '--json'], { db });
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain(
      'error: no recipient for renewal renewal-2w of subscription S-TUT (account TUT-1): the subscription has no manager and the account has no primary contact that is not removed',
    );
    expect(JSON.parse(orphan.stdout)).toHaveLength(4);
  });

  it('--mark-sent records and prints; notices list filters, JSON and CSV; --explain shows the schedule', async () => {
    const db = await seedDb((s) => standard(s, 1));
    const marked = await runJson<{ status: string }[]>(['remind', '--mark-sent'], { db });
    expect(marked.map((n) => n.status)).toEqual(['sent', 'sent', 'sent']);
    expect(await runJson(['remind', '--mark-sent'], { db })).toEqual([]);
    const sent = await runJson<Record<string, unknown>[]>(['notices', 'list', '--status', 'sent'], { db });
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatchObject({
      kind: 'renewal',
      stage: 'renewal-2w',
      cycle: '2026-12-09',
      status: 'sent',
      recipient_login: 'anna',
      subscription_external_id: 'S-EN-1',
      reason: null,
    });
    expect(await runJson<unknown[]>(['notices', 'list', '--status', 'skipped'], { db })).toHaveLength(1); // renewal-6w of S-EN-1 (dormant-3m is a first stage)
    expect(await runJson<unknown[]>(['notices', 'list', '--recipient', 'BEN'], { db })).toHaveLength(2);
    expect(await runJson<unknown[]>(['notices', 'list', '--since', '2099-01-01'], { db })).toEqual([]);
    const csv = await runCli(['notices', 'list', '--format', 'csv'], { db });
    expect(csv.stdout.split('\n')[0]).toBe(
      'id,kind,stage,cycle,due_date,status,reason,recipient_login,recipient_email,account_external_id,subscription_external_id,contact_email,invoice_number,attempts,run_id,created_at,updated_at,sent_at',
    );
    const x = await runJson<{ stages: { stage: string; state: string }[]; recipient_login: string; not_eligible: null }>(
      ['remind', '--explain', 's-en-1'],
      { db },
    );
    expect(x.recipient_login).toBe('anna');
    expect(x.stages.map((s) => `${s.stage}:${s.state}`)).toEqual([
      'renewal-6w:skipped',
      'renewal-2w:sent',
      'renewal-0d:not yet due',
      'renewal+2w:not yet due',
      'renewal+3m:not yet due',
      'renewal+6m:not yet due',
    ]);
    const seat = await runCli(['remind', '--explain-seat', 'UCHITEL@bg.example', '--subscription', 'S-BG-1'], { db });
    expect(seat.code).toBe(0);
    expect(seat.stdout).toContain('dormant-3m');
    expect(seat.stdout).toMatch(/dormant-6m.*not yet due/);
  });

  it('--send: one digest per recipient; a refused recipient exits 1 and is retried by the next run', async () => {
    const db = await seedDb((s) => standard(s));
    smtp.messages.length = 0;
    smtp.reject.add('ben@vendor.example');
    const first = await runCli(['remind', '--send', '--json'], { db, env: mailEnv() });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /error: failed: activation activation of subscription S-BG-1 \(account SCH-BG\) to ben@vendor.example: EENVELOPE: 550/,
    );
    expect(JSON.parse(first.stdout).map((n: { status: string }) => n.status)).toEqual(['sent', 'sent', 'failed', 'failed']);
    expect(smtp.messages.map((m) => [m.to[0], m.refs.length])).toEqual([['anna@vendor.example', 2]]);
    smtp.reject.clear();
    const second = await runCli(['remind', '--send'], { db, env: mailEnv() });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('sent 2 notice(s) in 1 email(s) on 2026-11-25; 0 failed, 0 in doubt');
    expect(smtp.messages.map((m) => [m.to[0], m.refs.length])).toEqual([
      ['anna@vendor.example', 2],
      ['ben@vendor.example', 2],
    ]);
    expect(smtp.messages[1]!.text).toContain('Код за активиране: KQ7H-M3XW-RP9D-TB4E');
    const third = await runCli(['remind', '--send', '--quiet'], { db, env: mailEnv() });
    expect(third).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(smtp.messages).toHaveLength(2);
  });

  it('--mark-sent of a notice that failed before records it sent without the old failure reason, as --send does', async () => {
    const db = await seedDb((s) => standard(s));
    smtp.reject.add('ben@vendor.example');
    expect((await runCli(['remind', '--send'], { db, env: mailEnv() })).code).toBe(1);
    smtp.reject.clear();
    const failed = await runJson<{ id: number; reason: string | null }[]>(['notices', 'list', '--status', 'failed'], { db });
    expect(failed).toHaveLength(2);
    expect(failed[0]!.reason).toMatch(/^EENVELOPE: 550/);
    expect((await runCli(['remind', '--mark-sent', '--quiet'], { db })).code).toBe(0);
    const after = await runJson<{ id: number; status: string; reason: string | null }[]>(['notices', 'list', '--recipient', 'ben'], { db });
    expect(after.map((n) => [n.status, n.reason])).toEqual([
      ['sent', null],
      ['sent', null],
    ]);
  });

  it('--send --quiet says nothing of the locale fallback (cron mails only problems); without --quiet it warns', async () => {
    const db = await seedDb(async (s) => {
      const pl = await s.account('SCH-PL', { manager: await s.manager('ola'), name: 'Szkoła', locale: 'pl' });
      await s.subscription('S-PL-1', { account: pl, end_date: '2026-12-09' });
      await s.subscription('S-PL-2', { account: pl, end_date: '2026-12-09' });
    });
    expect(await runCli(['remind', '--send', '--quiet', '--as-of', '2026-11-25'], { db, env: mailEnv() })).toMatchObject({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(smtp.messages).toHaveLength(1);
    const loud = await runCli(['remind', '--send', '--as-of', '2026-12-09'], { db, env: mailEnv() });
    expect(loud.stderr).toContain('warning: no templates for locale pl (digest, renewal): used the en ones (locale_fallback)');
  });

  it('reads SMTP settings from the config file when the environment has none', async () => {
    const db = await seedDb((s) => standard(s, 1));
    const cfg = path.join(tempDir(), 'config.json');
    fs.writeFileSync(cfg, JSON.stringify({ smtp_url: smtp.url, mail_from: 'cfg@vendor.example' }), { mode: 0o600 });
    smtp.messages.length = 0;
    const r = await runCli(['remind', '--send'], { db, env: { ACCTMGR_CONFIG: cfg, ACCTMGR_SMTP_URL: '', ACCTMGR_MAIL_FROM: '' } });
    expect(r.code).toBe(0);
    expect(smtp.messages.map((m) => m.from)).toEqual(['cfg@vendor.example', 'cfg@vendor.example']);
  });

  // processes: each claims with its own pid, and SQLite locks between processes
  it('two --send processes started together deliver each notice once', async () => {
    const db = await seedDb(async (s) => {
      const managers = [];
      for (let m = 0; m < 6; m++) managers.push(await s.manager(`m${m}`));
      for (let i = 0; i < 60; i++) {
        await s.subscription(`S-${i}`, {
          account: await s.account(`A-${i}`, { manager: managers[i % 6] }),
          end_date: i % 2 ? '2026-12-09' : '2026-11-11',
        });
      }
    });
    smtp.messages.length = 0;
    const [a, b] = await Promise.all([
      spawnCli(['remind', '--send'], { db, env: mailEnv() }),
      spawnCli(['remind', '--send'], { db, env: mailEnv() }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const refs = smtp.messages.flatMap((m) => m.refs);
    expect(refs).toHaveLength(60);
    expect(new Set(refs).size).toBe(60);
    expect(await runJson<unknown[]>(['notices', 'list', '--status', 'sent'], { db })).toHaveLength(60);
  });
});
