/**
 * The password file, read as libpq 15 reads it, for a URL without a password when PGPASSWORD is unset
 * or empty: PGPASSFILE, else ~/.pgpass; ignored with a warning unless it is a plain file that only its
 * owner can read or write; lines `host:port:database:user:password`, `#` at the start of a comment; a
 * field `*` matches anything, `\` escapes the next character (`\:`, `\\`); the first matching line wins.
 * The host `localhost` also matches a connection through the default socket directory.
 *
 * node-postgres reads ~/.pgpass itself when it is given no password, and prints a DeprecationWarning on
 * stderr each time (pg 8.2x), which cron would mail; its `pgpass` package departs from libpq (a line
 * under 11 characters such as `*:*:*:*:pw` is skipped, `#` starts a comment only after white space, the
 * password runs to the end of the line, no `localhost` for the socket, process.env only): so, here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { homeDir } from '../lib/config.js';

/** libpq's default socket directory (Debian's build), the host when the URL and PGHOST name none. */
export const DEFAULT_SOCKET_DIR = '/var/run/postgresql';

export interface PasswordKey {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The password of the file's first line that matches, or undefined. */
export function passwordFromFile(key: PasswordKey, env: NodeJS.ProcessEnv, warn: (text: string) => void): string | undefined {
  const file = env.PGPASSFILE || path.join(homeDir(env), '.pgpass');
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (!stat.isFile()) {
    warn(`password file "${file}" is not a plain file; it is ignored`);
    return undefined;
  }
  if ((stat.mode & 0o077) !== 0) {
    warn(`password file "${file}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`);
    return undefined;
  }
  try {
    return matchPassword(fs.readFileSync(file, 'utf8'), key);
  } catch {
    return undefined; // libpq: a file it cannot open is ignored
  }
}

export function matchPassword(text: string, key: PasswordKey): string | undefined {
  if (key.database === '' || key.user === '') return undefined;
  const host = key.host === '' || key.host === DEFAULT_SOCKET_DIR ? 'localhost' : key.host;
  const wanted = [host, String(key.port), key.database, key.user];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[\r\n]+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const password = matchLine(line, wanted);
    // the first match wins, even an empty password (libpq then has none)
    if (password !== undefined) return password === '' ? undefined : password;
  }
  return undefined;
}

/** libpq's pwdfMatchesString over the four fields in turn, then the password up to an unescaped `:`. */
function matchLine(line: string, wanted: readonly string[]): string | undefined {
  let i = 0;
  for (const token of wanted) {
    if (line.startsWith('*:', i)) {
      i += 2;
      continue;
    }
    for (let t = 0; ; i++, t++) {
      const escaped = line[i] === '\\';
      if (escaped) i++;
      const c = line[i];
      if (c === undefined) return undefined;
      if (c === ':' && !escaped && t === token.length) break;
      if (c !== token[t]) return undefined;
    }
    i++;
  }
  let password = '';
  for (; i < line.length && line[i] !== ':'; i++) {
    if (line[i] === '\\' && i + 1 < line.length) i++;
    password += line[i];
  }
  return password;
}
