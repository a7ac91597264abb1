/**
 * The configuration file: $ACCTMGR_CONFIG, else $XDG_CONFIG_HOME/acctmgr/config.json
 * (~/.config/acctmgr/config.json). A JSON object with exactly these keys, all optional; any other key
 * is an error naming it and the file (a typo must not be silently ignored). "Today" is never
 * configurable. The command line and the environment win over the file, key by key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidDataError, type FieldProblem } from '../errors.js';

export const CONFIG_KEYS = ['db', 'templates', 'locale_fallback', 'smtp_url', 'mail_from', 'smtp_timeout_ms'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export interface ConfigFile {
  /** the file's path, whether or not it exists */
  path: string;
  exists: boolean;
  /** readable by other users (it may hold a password) */
  shared: boolean;
  values: Partial<Record<ConfigKey, string | number>>;
}

/** The user's home as the run's environment says ($HOME), else as the system does. */
export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || os.homedir();
}

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.ACCTMGR_CONFIG) return env.ACCTMGR_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(homeDir(env), '.config');
  return path.join(base, 'acctmgr', 'config.json');
}

export function readConfig(env: NodeJS.ProcessEnv): ConfigFile {
  const file = configPath(env);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return { path: file, exists: false, shared: false, values: {} };
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidDataError([{ field: 'config', value: file, rule: `is not valid JSON (${(e as Error).message})` }]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidDataError([{ field: 'config', value: file, rule: 'must be a JSON object' }]);
  }
  const problems: FieldProblem[] = [];
  const values: ConfigFile['values'] = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      problems.push({ field: key, value: file, rule: `is not a configuration key (known: ${CONFIG_KEYS.join(', ')})` });
    } else if (key === 'smtp_timeout_ms' ? typeof value !== 'number' && typeof value !== 'string' : typeof value !== 'string') {
      problems.push({
        field: key,
        value: JSON.stringify(value),
        rule: `in ${file}: must be ${key === 'smtp_timeout_ms' ? 'a number' : 'a string'}`,
      });
    } else values[key as ConfigKey] = value as string | number;
  }
  if (problems.length > 0) throw new InvalidDataError(problems);
  return { path: file, exists: true, shared: (stat.mode & 0o077) !== 0, values };
}

/** A config string value, or undefined when absent or blank. */
export function configString(c: ConfigFile, key: ConfigKey): string | undefined {
  const v = c.values[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Where an effective setting came from. */
export type SettingSource = 'flag' | 'environment' | 'file' | 'default';

export interface EffectiveSetting {
  key: ConfigKey;
  /** as it may be shown: passwords in URLs masked; null when there is none (no SMTP URL, the built-in templates) */
  value: string | null;
  source: SettingSource;
  /** the environment variable, the file or the flag it came from; null for a default */
  from: string | null;
}

/** The environment variable that overrides each key, where there is one. */
const ENV_OF: Partial<Record<ConfigKey, string>> = {
  db: 'ACCTMGR_DB',
  smtp_url: 'ACCTMGR_SMTP_URL',
  mail_from: 'ACCTMGR_MAIL_FROM',
  smtp_timeout_ms: 'ACCTMGR_SMTP_TIMEOUT_MS',
};

/**
 * Every key's effective value and where it came from (`acctmgr config show`): the flag (`--db` is the
 * only global one), then the environment, then the file, then the default. `defaults` are the values the
 * caller knows (the default database path).
 */
export function effectiveConfig(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<ConfigKey, string>>,
  defaults: Record<ConfigKey, string | null>,
): { file: ConfigFile; settings: EffectiveSetting[] } {
  const file = readConfig(env);
  const settings = CONFIG_KEYS.map((key): EffectiveSetting => {
    const flag = flags[key];
    if (flag) return { key, value: maskSecret(flag), source: 'flag', from: `--${key}` };
    const variable = ENV_OF[key];
    const fromEnv = variable ? env[variable] : undefined;
    if (variable && fromEnv) return { key, value: maskSecret(fromEnv), source: 'environment', from: variable };
    const inFile = file.values[key];
    if (inFile !== undefined && String(inFile).trim() !== '')
      return { key, value: maskSecret(String(inFile)), source: 'file', from: file.path };
    return { key, value: defaults[key], source: 'default', from: null };
  });
  return { file, settings };
}

/**
 * A URL's password as `****` (postgres://u:****@h/db, smtp://u:****@h:587). The password runs from the
 * first `:` after `scheme://` to the LAST `@`: the URL parser the connections use ends the userinfo at the
 * last `@` of the authority (`team:hun@ter2@host` is user team, password hun@ter2), and a password with a
 * `/`, `?` or `#` in it (`team:ab/cd@host`) is the user's password all the same, whether or not the URL
 * then parses. An `@` after the host (a path or parameter) makes the mask hide more than the password,
 * never less.
 */
export function maskSecret(value: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value);
  if (!scheme) return value;
  const colon = value.indexOf(':', scheme[0].length);
  const at = value.lastIndexOf('@');
  if (colon === -1 || at < colon) return value;
  return `${value.slice(0, colon + 1)}****${value.slice(at)}`;
}
