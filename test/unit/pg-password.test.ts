import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchPassword, passwordFromFile, type PasswordKey } from '../../src/db/pg-password.js';
import { tempDir } from '../helpers/db.js';

const key: PasswordKey = { host: 'db.example', port: 5432, database: 'acct', user: 'maria' };

describe("the password file, by libpq's rules", () => {
  it('host:port:database:user:password; the first line that matches wins; * matches any one field', () => {
    const file = ['other:5432:acct:maria:no', 'db.example:5433:acct:maria:no', 'db.example:5432:acct:maria:first', '*:*:*:*:later'];
    expect(matchPassword(file.join('\n'), key)).toBe('first');
    expect(matchPassword(file.join('\n'), { ...key, user: 'anna' })).toBe('later');
    // shorter than 11 characters: the pgpass package skips such a line, libpq does not
    expect(matchPassword('*:*:*:*:pw\n', key)).toBe('pw');
    expect(matchPassword('*:5432:*:maria:a\n', { ...key, port: 6543 })).toBeUndefined();
    // a field is * alone to be a wildcard
    expect(matchPassword('db*:5432:acct:maria:x\n*:5432:acct:maria:y', key)).toBe('y');
  });

  it('\\ escapes the next character in every field; the password ends at an unescaped colon', () => {
    expect(matchPassword('db.example:5432:a\\:b:maria:p\\:w\\\\d:ignored\n', { ...key, database: 'a:b' })).toBe('p:w\\d');
    expect(matchPassword('db.example:5432:ac\\ct:maria:pw', key)).toBe('pw');
    expect(matchPassword('\\*:5432:acct:maria:literal\n*:*:*:*:any', { ...key, host: '*' })).toBe('literal');
    expect(matchPassword('\\:\\:1:5432:acct:maria:v6', { ...key, host: '::1' })).toBe('v6');
  });

  it('comments, blank lines, CRLF; a line short of its password field never matches; an empty password is none', () => {
    const text =
      '# db.example:5432:acct:maria:commented\r\n\r\n db.example:5432:acct:maria:space\r\ndb.example:5432:acct:maria\r\n*:*:*:*:crlf\r\n';
    expect(matchPassword(text, key)).toBe('crlf');
    expect(matchPassword('#*:*:*:*:c', key)).toBeUndefined();
    expect(matchPassword('db.example:5432:acct:maria:\n*:*:*:*:later', key)).toBeUndefined();
  });

  it('localhost stands for the default socket directory (and no host); another socket directory is itself', () => {
    const text = 'localhost:5432:acct:maria:local\n/tmp:5432:acct:maria:tmp';
    expect(matchPassword(text, { ...key, host: '/var/run/postgresql' })).toBe('local');
    expect(matchPassword(text, { ...key, host: '' })).toBe('local');
    expect(matchPassword(text, { ...key, host: '/tmp' })).toBe('tmp');
    expect(matchPassword(text, { ...key, host: '127.0.0.1' })).toBeUndefined();
  });

  it('PGPASSFILE or ~/.pgpass, owner-only: one that others can read or that is not a file is ignored, with a warning', () => {
    const home = tempDir('acctmgr-pgpass-');
    const warnings: string[] = [];
    const warn = (t: string) => void warnings.push(t);
    expect(passwordFromFile(key, { HOME: home }, warn)).toBeUndefined();
    fs.writeFileSync(path.join(home, '.pgpass'), '*:*:*:*:home\n', { mode: 0o600 });
    expect(passwordFromFile(key, { HOME: home }, warn)).toBe('home');
    const other = path.join(home, 'other');
    fs.writeFileSync(other, '*:*:*:*:other\n', { mode: 0o600 });
    expect(passwordFromFile(key, { HOME: home, PGPASSFILE: other }, warn)).toBe('other');
    expect(warnings).toEqual([]);
    fs.chmodSync(other, 0o640);
    expect(passwordFromFile(key, { HOME: home, PGPASSFILE: other }, warn)).toBeUndefined();
    expect(passwordFromFile(key, { HOME: home, PGPASSFILE: home }, warn)).toBeUndefined();
    expect(warnings).toEqual([
      `password file "${other}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`,
      `password file "${home}" is not a plain file; it is ignored`,
    ]);
  });
});
