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

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.ACCTMGR_CONFIG) return env.ACCTMGR_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
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
