/**
 * Settings: a small key/value store in the database with a fixed list of known keys; an unknown key or
 * value is refused. Every change is audited. Plain functions over Kysely; the caller owns the transaction.
 */
import type { Kysely } from '#kysely';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { lineProblem } from '../lib/keys.js';
import type { Op } from '../op.js';

interface Known {
  /** the allowed values of a choice (compared lower-case); absent for free values, checked by `rule` */
  values?: readonly string[];
  /** why a free value is refused, or undefined; it gets the value trimmed */
  rule?: (value: string) => string | undefined;
  /** what the list shows as allowed values of a free value */
  shape?: string;
  default: string;
  description: string;
}

const PREFIX_RE = /^[A-Z][A-Z0-9]{0,9}$/;

/**
 * One line of text of at most `max` characters (may be empty: then the setting is unset): the rule of every
 * one-line text, lengths in code points after NFC (src/lib/keys.ts).
 */
const line = (max: number) => (v: string) => lineProblem(v, max);

/** Every setting there is. */
export const SETTINGS: Readonly<Record<string, Known>> = {
  'manager-requests': {
    values: ['on', 'off'],
    default: 'off',
    description: 'managers may raise requests on behalf of the contacts of the accounts they manage',
  },
  'invoice-prefix': {
    rule: (v) => (PREFIX_RE.test(v) ? undefined : 'must be 1-10 capital letters or digits, starting with a letter'),
    shape: 'A-Z0-9, 1-10',
    default: 'INV',
    description: 'the prefix of invoice numbers (PREFIX-YYYY-NNNNN); an issued number never changes',
  },
  'invoice-due-days': {
    rule: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 365 ? undefined : 'must be a whole number of days from 0 to 365'),
    shape: '0-365',
    default: '14',
    description: 'days from issue to due date when `invoices issue` is not given --due-days',
  },
  'seller-name': { rule: line(200), shape: 'text', default: '', description: 'the seller named on printed invoices' },
  'seller-address': { rule: line(300), shape: 'text', default: '', description: "the seller's address on printed invoices (one line)" },
  'seller-vat-no': { rule: line(40), shape: 'text', default: '', description: "the seller's VAT number on printed invoices" },
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
  return {
    key,
    value: (await stored(db, key)) ?? k.default,
    default: k.default,
    values: k.values?.join('|') ?? k.shape ?? '',
    description: k.description,
  };
}

export async function listSettings(db: Kysely<DB>): Promise<SettingRecord[]> {
  const out: SettingRecord[] = [];
  for (const key of Object.keys(SETTINGS).sort()) out.push(await showSetting(db, key));
  return out;
}

export async function setSetting(db: Kysely<DB>, op: Op, key: string, raw: string): Promise<SettingRecord> {
  const k = known(key);
  const value = k.values ? raw.trim().toLowerCase() : raw.trim();
  if (k.values && !k.values.includes(value)) throw invalid('value', raw, `must be one of ${k.values.join(', ')}`);
  const rule = k.rule?.(value);
  if (rule !== undefined) throw invalid('value', raw, rule);
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
