import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCopyTarget } from '../../src/db/copy.js';
import { maskSecret } from '../../src/lib/config.js';
import { remindSettings } from '../../src/remind/settings.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

function configFile(values: object): string {
  const file = path.join(tempDir(), 'config.json');
  fs.writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
  return file;
}

interface Setting {
  key: string;
  value: string | null;
  source: string;
  from: string | null;
}

async function show(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Record<string, Setting>> {
  const r = await runCli([...args, 'config', 'show', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as Setting[]).map((s) => [s.key, s]));
}

describe('acctmgr config show', () => {
  it('says for every key its value and where it came from: flag, environment, file, default; passwords masked', async () => {
    const file = configFile({
      db: 'postgres://team:s3cret@db.internal/acct',
      smtp_url: 'smtp://mailer:hunter2@mail.example:587',
      locale_fallback: 'bg',
    });
    const base = { ACCTMGR_CONFIG: file, ACCTMGR_DB: '', XDG_DATA_HOME: '/data' };
    const fromFile = await show(base);
    expect(fromFile.db).toEqual({ key: 'db', value: 'postgres://team:****@db.internal/acct', source: 'file', from: file });
    expect(fromFile.smtp_url!.value).toBe('smtp://mailer:****@mail.example:587');
    expect(fromFile.locale_fallback).toMatchObject({ value: 'bg', source: 'file' });
    expect(fromFile.mail_from).toMatchObject({ source: 'default' });
    expect(fromFile.smtp_timeout_ms).toMatchObject({ value: '60000', source: 'default' });

    const fromEnv = await show({ ...base, ACCTMGR_DB: '/srv/acct.db', ACCTMGR_MAIL_FROM: 'r@vendor.example' });
    expect(fromEnv.db).toMatchObject({ value: '/srv/acct.db', source: 'environment', from: 'ACCTMGR_DB' });
    expect(fromEnv.mail_from).toMatchObject({ value: 'r@vendor.example', source: 'environment', from: 'ACCTMGR_MAIL_FROM' });

    const fromFlag = await show({ ...base, ACCTMGR_DB: '/srv/acct.db' }, ['--db', '/tmp/x.db']);
    expect(fromFlag.db).toMatchObject({ value: '/tmp/x.db', source: 'flag', from: '--db' });

    const defaults = await show({ ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'), ACCTMGR_DB: '', XDG_DATA_HOME: '/data' });
    expect(defaults.db).toMatchObject({ value: '/data/acctmgr/acctmgr.db', source: 'default' });
    const r = await runCli(['config', 'show'], { env: { ACCTMGR_CONFIG: '/nonexistent/c.json' } });
    expect(r.stderr).toContain('config file: /nonexistent/c.json (none there)');
  });

  it('masks the whole password, up to the last "@", in every format and in the errors that echo a URL', async () => {
    // the URL parser the connections use ends the userinfo at the last "@": the password is hun@ter2
    expect(maskSecret('postgres://team:hun@ter2@127.0.0.1:5432/acct')).toBe('postgres://team:****@127.0.0.1:5432/acct');
    expect(maskSecret('smtp://user:ab/cd@mail.example:587')).toBe('smtp://user:****@mail.example:587');
    expect(maskSecret('postgres://a@b:c@h/db')).toBe('postgres://a@b:****@h/db');
    expect(maskSecret('postgres://team@db.internal:5432/acct')).toBe('postgres://team@db.internal:5432/acct');
    expect(maskSecret('/srv/a:b@c.db')).toBe('/srv/a:b@c.db');

    const base = { ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'), ACCTMGR_DB: 'postgres://team:hun@ter2@127.0.0.1:5432/acct' };
    const env = { ...base, ACCTMGR_SMTP_URL: 'smtp://user:ab/cd@mail.example:587' };
    for (const format of [[], ['--json'], ['--format', 'csv']]) {
      const r = await runCli(['config', 'show', ...format], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('postgres://team:****@127.0.0.1:5432/acct');
      expect(r.stdout).toContain('smtp://user:****@mail.example:587');
      expect(r.stdout + r.stderr).not.toMatch(/ter2|ab\/cd/);
    }
    const table = await runCli(['config', 'show'], { env, tty: { stdout: true, columns: 200 } });
    expect(table.stdout).toContain('postgres://team:****@127.0.0.1:5432/acct');
    expect(table.stdout).not.toMatch(/ter2|ab\/cd/);

    // "/" in the password: not a URL the parser takes, and the message shows it without the password
    const bad = await runCli(['config', 'show'], { env: { ...base, ACCTMGR_DB: 'postgres://team:ab/cd@127.0.0.1:5432/acct' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ACCTMGR_DB: not a valid PostgreSQL URL: postgres://team:****@127.0.0.1:5432/acct');
    expect(bad.stderr).not.toContain('ab/cd');
    expect(() => parseCopyTarget('mysql://team:ab/cd@h/db')).toThrow('--to: not a PostgreSQL URL: mysql://team:****@h/db');
  });

  it('an absent value is null in JSON and empty in CSV and piped lines; only a terminal table says "(none)"', async () => {
    const env = { ACCTMGR_CONFIG: path.join(tempDir(), 'none.json'), ACCTMGR_DB: '', XDG_DATA_HOME: '/data' };
    const json = await show(env);
    expect(json.smtp_url).toEqual({ key: 'smtp_url', value: null, source: 'default', from: null });
    expect(json.templates).toEqual({ key: 'templates', value: null, source: 'default', from: null });
    expect(json.mail_from!.value).toBeNull();
    expect(json.locale_fallback).toEqual({ key: 'locale_fallback', value: 'en', source: 'default', from: null });

    const csv = await runCli(['config', 'show', '--format', 'csv'], { env });
    expect(csv.stdout.split('\n')).toEqual(
      expect.arrayContaining(['templates,,default,', 'smtp_url,,default,', 'locale_fallback,en,default,']),
    );
    const piped = await runCli(['config', 'show'], { env });
    expect(piped.stdout).toContain('smtp_url\t\tdefault\t\n');
    const table = await runCli(['config', 'show'], { env, tty: { stdout: true, columns: 120 } });
    expect(table.stdout).toMatch(/│ smtp_url +│ \(none\) +│ default +│ +│/);
    expect(table.stdout).toMatch(/│ templates +│ \(built in\) +│/);
  });

  it('an unknown key in the file is an error naming the key and the file (exit 1)', async () => {
    const file = configFile({ databse: 'x' });
    const r = await runCli(['config', 'show'], { env: { ACCTMGR_CONFIG: file } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`databse: "${file}": is not a configuration key`);
  });

  it('remind reads templates and locale_fallback from the file; a locale without templates is refused', () => {
    expect(remindSettings({ ACCTMGR_CONFIG: configFile({ templates: '/srv/tpl', locale_fallback: 'bg' }) })).toEqual({
      templatesDir: '/srv/tpl',
      localeFallback: 'bg',
    });
    expect(remindSettings({ ACCTMGR_CONFIG: configFile({}) })).toEqual({ templatesDir: undefined, localeFallback: 'en' });
    expect(() => remindSettings({ ACCTMGR_CONFIG: configFile({ locale_fallback: 'de' }) })).toThrow(
      /locale_fallback: "de": .*must be one of en, bg.*or a locale whose templates are in the templates folder/,
    );
  });
});
