import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTx } from '../../src/db/tx.js';
import { InvalidDataError } from '../../src/errors.js';
import { listNotices } from '../../src/notices/service.js';
import type { MailConfig } from '../../src/remind/mailer.js';
import { errorLines, summaryLine } from '../../src/remind/report.js';
import { previewEmails, runRemind } from '../../src/remind/run.js';
import { eachTestDb, tempDir, testOp } from '../helpers/db.js';
import type { Seeder } from '../helpers/seed.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let smtp: TestSmtp;
let seed: Seeder;
let anna: number;
let ben: number;
const t = eachTestDb(async () => {
  seed = t.seed;
  smtp = await startSmtp();
  anna = await seed.manager('anna', { name: 'Anna Kowalski' });
  ben = await seed.manager('ben');
});
afterEach(async () => {
  await smtp.close();
});

function mail(over: Partial<MailConfig> = {}): MailConfig {
  return { smtpUrl: smtp.url, from: 'Reminders <reminders@vendor.example>', timeoutMs: 5000, ...over };
}
function send(extra: { retryInDoubt?: boolean; templatesDir?: string; mail?: MailConfig; localeFallback?: 'en' | 'bg' } = {}) {
  return runRemind(t.db, testOp(), { mode: 'send', mail: mail(), tx: (fn) => writeTx(t.db, fn), ...extra });
}
const statuses = async () =>
  (await listNotices(t.db, {}))
    .filter((n) => n.status !== 'skipped')
    .map((n) => `${n.subscription_external_id}:${n.status}`)
    .sort();

describe('remind --preview-email --recipient', () => {
  it('compares the address by its fold, as every key (STRASSE is straße)', async () => {
    const m = await seed.manager('mgr');
    await t.db
      .updateTable('managers')
      .set({ email: 'straße@vendor.example', email_key: 'strasse@vendor.example' })
      .where('id', '=', m)
      .execute();
    await seed.subscription('S-A', { account: await seed.account('A', { manager: m }), end_date: '2026-12-09' });
    const { messages } = await previewEmails(t.db, testOp(), { recipient: 'STRASSE@VENDOR.EXAMPLE' });
    expect(messages.map((x) => x.to.email)).toEqual(['straße@vendor.example']);
  });
});

describe('remind --send', () => {
  it('an account whose locale has no templates gets the locale_fallback ones (default en)', async () => {
    const de = await seed.account('SCH-DE', { manager: anna, name: 'Eichenschule', locale: 'de' });
    await seed.subscription('S-DE', { account: de, end_date: '2026-12-09' });
    await send({ localeFallback: 'bg' });
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.text).toContain('абонамент S-DE');
    expect(smtp.messages[0]!.text).toContain('Eichenschule (SCH-DE)');
  });

  it('one digest per recipient, grouped by kind, one section per account in its locale', async () => {
    const en = await seed.account('SCH-EN', { manager: anna, name: 'Oak School' });
    const bg = await seed.account('SCH-BG', { manager: anna, name: 'СУ „Христо Ботев“', locale: 'bg' });
    await seed.subscription('S-1', { account: en, end_date: '2026-12-09' });
    await seed.subscription('S-2', { account: en, end_date: '2026-11-11' });
    const s3 = await seed.subscription('S-3', {
      account: bg,
      end_date: '2026-12-09',
      paid_at: '2026-11-24',
      activation_code: 'KQ7H-M3XW-RP9D-TB4E',
    });
    await seed.seat(s3, await seed.contact(bg, 'uchitel@bg.example', { name: 'Мария Петрова' }), { last_login_at: '2026-08-20T10:00:00Z' });
    await seed.subscription('S-4', { account: await seed.account('SCH-B', { manager: ben }), end_date: '2026-12-09' });
    const r = await send();
    expect(r.emails).toBe(2);
    expect(r.notices.map((n) => `${n.subscription_external_id}:${n.kind}:${n.status}`)).toEqual([
      'S-3:activation:sent',
      'S-3:dormancy:sent',
      'S-2:renewal:sent',
      'S-1:renewal:sent',
      'S-3:renewal:sent',
      'S-4:renewal:sent',
    ]);
    expect(smtp.messages).toHaveLength(2);
    const toAnna = smtp.messages.find((m) => m.to[0] === 'anna@vendor.example')!;
    expect(toAnna.refs).toHaveLength(5);
    expect(toAnna.from).toBe('reminders@vendor.example');
    expect(toAnna.subject).toBe('Reminders for 2026-11-25: 5 notices');
    const text = toAnna.text;
    expect(text).toContain('Hello Anna Kowalski');
    expect(text.indexOf('Renewals')).toBeLessThan(text.indexOf('Teachers who stopped logging in'));
    expect(text.indexOf('Teachers who stopped logging in')).toBeLessThan(text.search(/^Activation code\r?$/m));
    expect(text).toContain('Oak School (SCH-EN)');
    expect(text).toContain('subscription S-2 (100 students, 2026-01-15 to 2026-11-11) ended 2 weeks ago');
    expect(text).toContain('абонамент S-3');
    expect(text).toContain('изтича след 2 седмици');
    expect(text).toContain('Мария Петрова <uchitel@bg.example> (2026-08-20)');
    expect(text).toContain('Код за активиране: KQ7H-M3XW-RP9D-TB4E');
    expect(await statuses()).toEqual(['S-1:sent', 'S-2:sent', 'S-3:sent', 'S-3:sent', 'S-3:sent', 'S-4:sent']);
    // nothing twice
    expect((await send()).notices).toEqual([]);
    expect(smtp.messages).toHaveLength(2);
  });

  it('a refused recipient fails with the reason while the others go out; the next run retries it', async () => {
    await seed.subscription('S-A', { account: await seed.account('A', { manager: anna }), end_date: '2026-12-09' });
    await seed.subscription('S-B', { account: await seed.account('B', { manager: ben }), end_date: '2026-12-09' });
    smtp.reject.add('ben@vendor.example');
    const first = await send();
    expect(first.notices.map((n) => [n.subscription_external_id, n.status])).toEqual([
      ['S-A', 'sent'],
      ['S-B', 'failed'],
    ]);
    expect(first.notices[1]!.reason).toMatch(/550/);
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['anna@vendor.example']);
    expect((await listNotices(t.db, { status: 'failed' }))[0]).toMatchObject({ subscription_external_id: 'S-B', attempts: 1 });
    smtp.reject.clear();
    const second = await send();
    expect(second.notices.map((n) => [n.subscription_external_id, n.status])).toEqual([['S-B', 'sent']]);
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['anna@vendor.example', 'ben@vendor.example']);
    expect((await listNotices(t.db, { recipient: 'BEN' })).find((n) => n.stage === 'renewal-2w')).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('SMTP down: every notice failed, nothing recorded as sent', async () => {
    await seed.subscription('S-A', { account: await seed.account('A', { manager: anna }), end_date: '2026-12-09' });
    const port = smtp.port;
    await smtp.close();
    const r = await send({ mail: mail({ smtpUrl: `smtp://127.0.0.1:${port}?ignoreTLS=true` }) });
    expect(r.notices.map((n) => n.status)).toEqual(['failed']);
    expect(r.notices[0]!.reason).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    expect(await statuses()).toEqual(['S-A:failed']);
    smtp = await startSmtp(); // for afterEach
  });

  it('a timeout after the message data leaves the notice in_doubt; later runs report and skip it unless retried', async () => {
    await seed.subscription('S-A', { account: await seed.account('A', { manager: anna }), end_date: '2026-12-09' });
    smtp.hang = true;
    const r = await send({ mail: mail({ timeoutMs: 500 }) });
    expect(r.notices.map((n) => n.status)).toEqual(['in_doubt']);
    expect(r.notices[0]!.reason).toMatch(/no answer after the message data/);
    expect(await statuses()).toEqual(['S-A:in_doubt']);
    // the run that leaves it in doubt names it by its id, which notices settle takes; no email counted as sent
    const [held] = await listNotices(t.db, { status: 'in_doubt' });
    const lines = errorLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`to anna@vendor.example (notice ${held!.id}): no answer after the message data`);
    expect(lines[0]).toContain(`acctmgr notices settle ${held!.id} --as sent|unsent`);
    expect(summaryLine(r, '2026-11-25')).toBe('sent 0 notice(s) in 0 email(s) on 2026-11-25; 0 failed, 1 in doubt');
    smtp.hang = false;
    const next = await send();
    expect(next.notices).toEqual([]);
    expect(next.in_doubt_earlier.map((n) => n.subscription_external_id)).toEqual(['S-A']);
    expect(smtp.messages).toHaveLength(0);
    const retried = await send({ retryInDoubt: true });
    expect(retried.notices.map((n) => n.status)).toEqual(['sent']);
    expect(smtp.messages).toHaveLength(1);
  });

  it('notices that became ineligible after the claim are given back, not sent', async () => {
    const acc = await seed.account('A', { manager: anna });
    const old = await seed.subscription('S-A', { account: acc, end_date: '2026-12-09' });
    // a renewal recorded between the claim and the delivery: simulate by renewing inside the claim tx
    let renewed = false;
    const r = await runRemind(t.db, testOp(), {
      mode: 'send',
      mail: mail(),
      tx: async (fn) => {
        const out = await writeTx(t.db, fn);
        if (!renewed) {
          renewed = true;
          await seed.subscription('S-A-NEXT', { account: acc, start_date: '2026-12-10', end_date: '2027-12-09', renewed_from: old });
        }
        return out;
      },
    });
    expect(r.notices).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
    expect(await statuses()).toEqual([]);
  });

  it('--templates DIR overrides file by file and refuses unknown placeholders', async () => {
    await seed.subscription('S-A', { account: await seed.account('A', { manager: anna }), end_date: '2026-12-09' });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'renewal.en.txt'), 'RENEW {{subscription_external_id}} by {{end_date}} ({{stage}})\n');
    await send({ templatesDir: dir });
    expect(smtp.messages[0]!.text).toContain('RENEW S-A by 2026-12-09 (renewal-2w)');
    expect(smtp.messages[0]!.text).toContain('Hello ANNA'.replace('ANNA', 'Anna Kowalski'));
    fs.writeFileSync(path.join(dir, 'dormancy.bg.txt'), '{{teachers}} {{price}}\n');
    const err = await send({ templatesDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as Error).message).toContain('dormancy.bg.txt:1: "{{price}}": is not a placeholder of dormancy templates');
  });

  it('a placeholder misspelt in any way — a hyphen, a brace missing, nothing inside — is refused with its line; nothing sent or recorded', async () => {
    await seed.subscription('S-A', { account: await seed.account('A', { manager: anna }), end_date: '2026-12-09' });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'renewal.en.txt'), 'Renew {{subscription_external_id}}\nby {{ end_date }} {{stage-label}}\n');
    fs.writeFileSync(
      path.join(dir, 'digest.en.txt'),
      'Subject: {{subject}}\n\nHello {{recipient_name}},\n{{ sections }\n{{}} and }} alone\n',
    );
    const err = await send({ templatesDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    const file = (name: string) => path.join(dir, name);
    expect((err as InvalidDataError).problems.map((p) => `${p.field}: ${JSON.stringify(p.value)}: ${p.rule}`)).toEqual([
      `${file('digest.en.txt')}:4: "{{ sections }": opens a placeholder it does not close with }}`,
      `${file('digest.en.txt')}:5: "{{}}": is not a placeholder of digest templates`,
      `${file('digest.en.txt')}:5: "and }} alone": closes a placeholder it did not open with {{`,
      `${file('renewal.en.txt')}:2: "{{stage-label}}": is not a placeholder of renewal templates`,
    ]);
    expect(smtp.messages).toHaveLength(0);
    expect(await statuses()).toEqual([]);
  });
});
