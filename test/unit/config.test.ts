import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPath, readConfig } from '../../src/lib/config.js';
import { tempDir } from '../helpers/db.js';

function withFile(content: string, mode = 0o600): NodeJS.ProcessEnv {
  const file = path.join(tempDir(), 'config.json');
  fs.writeFileSync(file, content, { mode });
  return { ACCTMGR_CONFIG: file };
}

describe('the config file', () => {
  it('is $ACCTMGR_CONFIG, else $XDG_CONFIG_HOME/acctmgr/config.json; a missing file is an empty configuration', () => {
    expect(configPath({ ACCTMGR_CONFIG: '/etc/a.json', XDG_CONFIG_HOME: '/x' })).toBe('/etc/a.json');
    expect(configPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/acctmgr/config.json');
    expect(readConfig({ ACCTMGR_CONFIG: '/nonexistent/acctmgr.json' })).toEqual({
      path: '/nonexistent/acctmgr.json',
      exists: false,
      shared: false,
      values: {},
    });
  });

  it('takes exactly its keys; an unknown key (a typo) is an error naming the key and the file', () => {
    const env = withFile(JSON.stringify({ db: 'postgres://team@db/acct', smtp_timeout_ms: 5000 }));
    expect(readConfig(env).values).toEqual({ db: 'postgres://team@db/acct', smtp_timeout_ms: 5000 });
    const typo = withFile(JSON.stringify({ smpt_url: 'smtp://x' }));
    expect(() => readConfig(typo)).toThrow(
      `smpt_url: "${typo.ACCTMGR_CONFIG}": is not a configuration key (known: db, templates, locale_fallback, smtp_url, mail_from, smtp_timeout_ms)`,
    );
    expect(() => readConfig(withFile('{"db": 5}'))).toThrow(/^db: "5": in .*: must be a string$/);
    expect(() => readConfig(withFile('[1]'))).toThrow(/must be a JSON object/);
    expect(() => readConfig(withFile('{'))).toThrow(/is not valid JSON/);
  });

  it('says when other users can read it (it may hold passwords)', () => {
    expect(readConfig(withFile('{}', 0o644)).shared).toBe(true);
    expect(readConfig(withFile('{}', 0o600)).shared).toBe(false);
  });
});
