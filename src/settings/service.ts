/**
 * Settings: a small key/value store in the database with a fixed list of known keys; an unknown key or
 * value is refused. Every change is audited. Plain functions over Kysely; the caller owns the transaction.
 */
import type { Kysely } from 'kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import type { Op } from '../op.js';

interface Known {
  values: readonly string[];
  default: string;
  description: string;
}

/** Every setting there is. */
export const SETTINGS: Readonly<Record<string, Known>> = {
  'manager-requests': {
    values: ['on', 'off'],
    default: 'off',
    description: 'managers may raise requests on behalf of the contacts of the accounts they manage',
  },
};
export type SettingKey = keyof typeof SETTINGS;

export interface SettingRecord {
  key: string;
  value: string;
  default: string;
  values: string;
  description: string;
}

function known(key: string): Known {
  const k = SETTINGS[key];
  if (!k) throw invalid('key', key, `is not a known setting (known: ${Object.keys(SETTINGS).join(', ')})`);
  return k;
}

async function stored(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('name', '=', key).executeTakeFirst())?.value;
}

/** The value of a known setting: the stored one, else its default. */
export async function getSetting(db: Kysely<DB>, key: string): Promise<string> {
  const k = known(key);
  return (await stored(db, key)) ?? k.default;
}

export async function showSetting(db: Kysely<DB>, key: string): Promise<SettingRecord> {
  const k = known(key);
  return { key, value: (await stored(db, key)) ?? k.default, default: k.default, values: k.values.join('|'), description: k.description };
}

export async function listSettings(db: Kysely<DB>): Promise<SettingRecord[]> {
  const out: SettingRecord[] = [];
  for (const key of Object.keys(SETTINGS).sort()) out.push(await showSetting(db, key));
  return out;
}

export async function setSetting(db: Kysely<DB>, op: Op, key: string, raw: string): Promise<SettingRecord> {
  const k = known(key);
  const value = raw.trim().toLowerCase();
  if (!k.values.includes(value)) throw invalid('value', raw, `must be one of ${k.values.join(', ')}`);
  const current = await stored(db, key);
  const before = await showSetting(db, key);
  // setting the value it has (stored or by default) changes nothing: safe to run twice
  if (before.value === value) return before;
  if (current !== undefined) await db.updateTable('settings').set({ value, updated_at: op.now }).where('name', '=', key).execute();
  else await db.insertInto('settings').values({ name: key, value, updated_at: op.now }).execute();
  const after = { ...before, value };
  await audit(db, op, { action: 'set', entity: 'setting', key, before: { value: before.value }, after: { value } });
  return after;
}
