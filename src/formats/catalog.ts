/**
 * What each entity's CSV file looks like, for import and export alike: its columns (the field specs,
 * in CSV order), its key and the columns a file must have. Plain data (field spec files only), so the
 * commands' help can list the columns without loading the importer.
 */
import { ACCOUNT_FIELDS, GROUP_FIELDS } from '../accounts/fields.js';
import { ACTIVITY_FIELDS } from '../activities/fields.js';
import { REQUEST_FIELDS } from '../requests/fields.js';
import { TRAINING_FIELDS } from '../trainings/fields.js';
import { INVOICE_FIELDS } from '../invoices/fields.js';
import { CONTACT_FIELDS } from '../contacts/fields.js';
import type { FieldSpec } from '../lib/fields.js';
import { MANAGER_FIELDS } from '../managers/fields.js';
import { PLAN_FIELDS, PRICE_FIELDS, PRODUCT_FIELDS } from '../plans/fields.js';
import { LOGIN_FIELDS, SEAT_FIELDS } from '../seats/fields.js';
import { SUBSCRIPTION_FIELDS } from '../subscriptions/fields.js';

/** Every entity that imports and exports; the order is the dependency order of `import all`. */
export const ENTITIES = [
  'managers',
  'groups',
  'accounts',
  'contacts',
  'products',
  'plans',
  'prices',
  'subscriptions',
  'seats',
  'logins',
  'activities',
  'requests',
  'trainings',
  'invoices',
] as const;
export type EntityName = (typeof ENTITIES)[number];

export interface EntityFormat {
  specs: readonly FieldSpec[];
  key: readonly string[];
  /** The key columns a row must fill (it identifies the row); a key column left out may be empty. */
  rowKey: readonly string[];
  /** The columns a file must have: rowKey and the fields a new record needs (spec `required`), in CSV order. */
  required: readonly string[];
  what: string;
}

function format(specs: readonly FieldSpec[], key: readonly string[], what: string, rowKey: readonly string[] = key): EntityFormat {
  const required = specs.filter((s) => s.required || rowKey.includes(s.name)).map((s) => s.name);
  return { specs, key, rowKey, required, what };
}

export const FORMATS: Record<EntityName, EntityFormat> = {
  managers: format(MANAGER_FIELDS, ['login'], 'account managers'),
  groups: format(GROUP_FIELDS, ['name'], 'account groups'),
  accounts: format(ACCOUNT_FIELDS, ['external_id'], 'accounts (then one column per custom field)'),
  contacts: format(CONTACT_FIELDS, ['account_external_id', 'email'], 'contacts'),
  products: format(PRODUCT_FIELDS, ['code'], 'products'),
  plans: format(PLAN_FIELDS, ['code'], 'plans'),
  // an empty max_students is the "any number" row: part of the key, yet it may be empty
  prices: format(PRICE_FIELDS, ['plan', 'max_students', 'term_months'], 'plan price rows (empty max_students: any number)', [
    'plan',
    'term_months',
  ]),
  subscriptions: format(SUBSCRIPTION_FIELDS, ['external_id'], 'subscriptions (end_date and price computed when empty)'),
  seats: format(SEAT_FIELDS, ['subscription_external_id', 'email'], 'seats'),
  logins: format(LOGIN_FIELDS, ['subscription_external_id', 'email', 'at'], 'login events'),
  // a row without an id is a new activity and gets the next key
  activities: format(ACTIVITY_FIELDS, ['id'], 'activities of the work log (an empty id: a new activity)', []),
  requests: format(REQUEST_FIELDS, ['id'], 'requests of contacts (an empty id: a new request)', []),
  trainings: format(TRAINING_FIELDS, ['id'], 'trainings (an empty id: a new training; dates ";"-separated)', []),
  // a row without a number is a planned invoice (matched by subscription and instalment)
  invoices: format(INVOICE_FIELDS, ['number'], 'invoices (an empty number: a planned invoice)', []),
};

/** One help paragraph: the columns in order, required ones marked. */
export function columnsHelp(entity: EntityName): string {
  const f = FORMATS[entity];
  const cols = f.specs.map((s) => (f.required.includes(s.name) ? `${s.name}*` : s.name)).join(',');
  return `Columns (* required): ${cols}\nKey: ${f.key.join(' + ')} (compared as keys: case and Unicode form ignored)`;
}
