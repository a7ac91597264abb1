import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeManager } from '../../src/composites/reassign.js';
import { writeTx } from '../../src/db/tx.js';
import { InvalidDataError } from '../../src/errors.js';
import { listNotices } from '../../src/notices/service.js';
import { readMailConfig } from '../../src/remind/mailer.js';
import { runRemind } from '../../src/remind/run.js';
import { eachTestDb, tempDir, testOp } from '../helpers/db.js';

const t = eachTestDb();

describe('notices list', () => {
  it('filters by status, date and recipient (login or email), and refuses unknown statuses and recipients', async () => {
    const seed = t.seed;
    const anna = await seed.manager('anna');
    await seed.subscription('S-1', { account: await seed.account('A', { manager: anna }), end_date: '2026-11-11' });
    await runRemind(t.db, testOp(), { mode: 'mark-sent', tx: (fn) => writeTx(t.db, fn) });
    expect((await listNotices(t.db)).map((n) => `${n.stage}:${n.status}`)).toEqual([
      'renewal+2w:sent',
      'renewal-6w:skipped',
      'renewal-2w:skipped',
      'renewal-0d:skipped',
    ]);
    expect(await listNotices(t.db, { status: 'SENT' })).toHaveLength(1);
    expect(await listNotices(t.db, { recipient: 'Anna@Vendor.example' })).toHaveLength(4);
    // a login that is nobody's (no manager, none in the ledger) or text that is neither login nor email can match nothing
    await expect(listNotices(t.db, { recipient: 'ben' })).rejects.toThrow('manager not found: "ben"');
    await expect(listNotices(t.db, { recipient: 'no such person!' })).rejects.toThrow(
      'recipient: "no such person!": must be a manager login or an email address',
    );
    await expect(listNotices(t.db, { recipient: 'anna@vendor' })).rejects.toThrow('recipient: "anna@vendor": is not a valid email address');
    // a well-formed address the ledger does not hold is an empty list: no record can say it was never written to
    expect(await listNotices(t.db, { recipient: 'ben@vendor.example' })).toEqual([]);
    expect(await listNotices(t.db, { recipient: 'ANNA' })).toHaveLength(4);
    // a manager removed since keeps their notices, found by login
    await seed.manager('bob');
    await removeManager(t.db, testOp(), 'anna', 'bob');
    expect(await listNotices(t.db, { recipient: 'anna' })).toHaveLength(4);
    expect(await listNotices(t.db, { since: '2026-11-25' })).toHaveLength(4);
    expect(await listNotices(t.db, { since: '2026-11-26' })).toEqual([]);
    await expect(listNotices(t.db, { status: 'lost' })).rejects.toBeInstanceOf(InvalidDataError);
  });
});

describe('SMTP configuration', () => {
  it('takes the environment over the config file, key by key, and warns about a readable file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    expect(readMailConfig({ ACCTMGR_CONFIG: file })).toMatchObject({
      config: undefined,
      missing: ['ACCTMGR_SMTP_URL (smtp_url)', 'ACCTMGR_MAIL_FROM (mail_from)'],
    });
    fs.writeFileSync(file, JSON.stringify({ smtp_url: 'smtp://file.example', mail_from: 'file@vendor.example', smtp_timeout_ms: 1000 }), {
      mode: 0o644,
    });
    fs.chmodSync(file, 0o644);
    const both = readMailConfig({ ACCTMGR_CONFIG: file, ACCTMGR_SMTP_URL: 'smtp://env.example' });
    expect(both.config).toEqual({ smtpUrl: 'smtp://env.example', from: 'file@vendor.example', timeoutMs: 1000 });
    expect(both.warnings[0]).toContain('readable by other users');
    fs.chmodSync(file, 0o600);
    expect(readMailConfig({ ACCTMGR_CONFIG: file }).warnings).toEqual([]);
    fs.writeFileSync(file, '{ nope');
    expect(() => readMailConfig({ ACCTMGR_CONFIG: file })).toThrow(/config: .*is not valid JSON/);
  });
});
