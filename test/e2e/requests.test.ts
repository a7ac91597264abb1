import { describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';

let db: string;
const run = (...args: string[]) => runCli(args, { db });

/** SCH-001 (manager anna, contact ewa); manager dan holds nothing of it. */
const given = dbFiles();
const withAccount = given.template(async (at) => {
  expect((await runCli(['db', 'migrate'], { db: at })).code).toBe(0);
  await seededDb(async (t) => {
    const sch = await t.seed.account('SCH-001', { manager: await t.seed.manager('anna') });
    await t.seed.manager('dan');
    await t.seed.contact(sch, 'ewa@sp12.example');
  }, at);
});

describe('acctmgr settings and requests', () => {
  it('settings list|get|set: known keys only; set is audited', async () => {
    db = await withAccount();
    expect(await run('settings', 'get', 'manager-requests')).toMatchObject({ code: 0, stdout: 'off\n' });
    expect(await run('settings', 'set', 'manager-requests', 'on')).toMatchObject({ code: 0, stdout: 'manager-requests=on\n' });
    expect(await runJson(['settings', 'list'], { db })).toContainEqual({
      key: 'manager-requests',
      value: 'on',
      default: 'off',
      values: 'on|off',
      description: expect.any(String),
    });
    expect(await run('settings', 'set', 'theme', 'dark')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('key: "theme": is not a known setting'),
    });
    expect(await run('settings', 'set', 'manager-requests')).toMatchObject({ code: 2 });
  });

  it('requests add --by (refused while off, and for a manager not associated), edit --status, close, reopen; list as CSV', async () => {
    db = await withAccount();
    const add = (...extra: string[]) =>
      run('requests', 'add', '--account', 'SCH-001', '--contact', 'ewa@sp12.example', '--subject', 'Login fails', ...extra);
    expect(await add('--by', 'anna')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('acctmgr settings set manager-requests on'),
    });
    expect((await run('settings', 'set', 'manager-requests', 'on')).code).toBe(0);
    expect(await add('--by', 'dan')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('manager dan does not manage account SCH-001'),
    });
    expect(await add('--by', 'anna', '--priority', 'high')).toMatchObject({ code: 0, stdout: 'REQ-000001\n' });
    expect(await run('requests', 'edit', 'REQ-000001', '--status', 'resolved')).toMatchObject({ code: 0 });
    expect(await run('requests', 'edit', 'REQ-000001', '--status', 'open')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('allowed: close, reopen'),
    });
    expect((await run('requests', 'close', 'REQ-000001')).code).toBe(0);
    expect((await runJson<any>(['requests', 'reopen', 'REQ-000001'], { db })).status).toBe('open');
    const csv = await run('requests', 'list', '--manager', 'anna', '--format', 'csv');
    expect(csv.stdout).toContain('REQ-000001,SCH-001,ewa@sp12.example,Login fails,,high,open,anna,');
    expect((await runJson<any[]>(['requests', 'list', '--manager', 'dan'], { db })).length).toBe(0);
  });
});
