/**
 * What each importable entity's file looks like: its columns (the field specs, in CSV order), its key
 * and the columns a file must have. Plain data (field spec files only), so the command's help can list
 * the columns without loading the importer.
 */
import { ACCOUNT_FIELDS, GROUP_FIELDS } from '../accounts/fields.js';
import { CONTACT_FIELDS } from '../contacts/fields.js';
import type { FieldSpec } from '../lib/fields.js';
import { MANAGER_FIELDS } from '../managers/fields.js';
import { PLAN_FIELDS, PRICE_FIELDS, PRODUCT_FIELDS } from '../plans/fields.js';
import { LOGIN_FIELDS, SEAT_FIELDS } from '../seats/fields.js';
import { SUBSCRIPTION_FIELDS } from '../subscriptions/fields.js';
import { ENTITIES, type EntityName } from './entities/types.js';

export { ENTITIES, type EntityName };

export interface EntityFormat {
  specs: readonly FieldSpec[];
  key: readonly string[];
  /** the key plus what a new record needs */
  required: readonly string[];
  what: string;
}

export const FORMATS: Record<EntityName, EntityFormat> = {
  managers: { specs: MANAGER_FIELDS, key: ['login'], required: ['login', 'name', 'email'], what: 'account managers' },
  groups: { specs: GROUP_FIELDS, key: ['name'], required: ['name'], what: 'account groups' },
  accounts: {
    specs: ACCOUNT_FIELDS,
    key: ['external_id'],
    required: ['external_id', 'name', 'type'],
    what: 'accounts (then one column per custom field)',
  },
  contacts: { specs: CONTACT_FIELDS, key: ['account_external_id', 'email'], required: ['account_external_id', 'email'], what: 'contacts' },
  products: { specs: PRODUCT_FIELDS, key: ['code'], required: ['code', 'name'], what: 'products' },
  plans: { specs: PLAN_FIELDS, key: ['code'], required: ['code', 'name', 'product', 'currency'], what: 'plans' },
  prices: {
    specs: PRICE_FIELDS,
    key: ['plan', 'max_students', 'term_months'],
    required: ['plan', 'term_months', 'amount'],
    what: 'plan price rows (empty max_students: any number)',
  },
  subscriptions: {
    specs: SUBSCRIPTION_FIELDS,
    key: ['external_id'],
    required: ['external_id', 'account_external_id', 'plan', 'students', 'term_months', 'start_date'],
    what: 'subscriptions (end_date and price computed when empty)',
  },
  seats: { specs: SEAT_FIELDS, key: ['subscription_external_id', 'email'], required: ['subscription_external_id', 'email'], what: 'seats' },
  logins: { specs: LOGIN_FIELDS, key: ['subscription_external_id', 'email', 'at'], required: ['subscription_external_id', 'email', 'at'], what: 'login events' },
};

/** One help paragraph: the columns in order, required ones marked. */
export function columnsHelp(entity: EntityName): string {
  const f = FORMATS[entity];
  const cols = f.specs.map((s) => (f.required.includes(s.name) ? `${s.name}*` : s.name)).join(',');
  return `Columns (* required): ${cols}\nKey: ${f.key.join(' + ')} (compared as keys: case and Unicode form ignored)`;
}
