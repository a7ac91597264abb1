import type { FieldSpec } from '../lib/fields.js';

/** Terms a plan can be priced (and sold) for, in months. */
export const TERMS = [12, 24] as const;

/** A term in months, of a price row and of a subscription: one of TERMS. */
export const TERM_FIELD: FieldSpec = {
  name: 'term_months',
  type: 'int',
  required: true,
  oneOf: TERMS,
  description: `term in months (${TERMS.join(' or ')})`,
};

/** How many students a subscription (and a price quote) is for: what the price table's tiers count. */
export const STUDENTS_FIELD: FieldSpec = { name: 'students', type: 'int', required: true, min: 1, description: 'number of students' };

/** Products' fields, in CSV column order. */
export const PRODUCT_FIELDS: readonly FieldSpec[] = [
  { name: 'code', type: 'key', required: true, description: 'product code (unique, letters, digits, . _ -)' },
  { name: 'name', type: 'text', required: true, description: 'product name' },
];

/**
 * Fair use (docs/worklog.md): web sessions a week and a month, trainings in any 12 months. A number (0:
 * none) or `unlimited`.
 */
export const LIMIT_FIELDS: readonly FieldSpec[] = [
  {
    name: 'sessions_per_week',
    type: 'limit',
    default: 2,
    description: 'fair use: web sessions per ISO week (a number, 0 for none, or unlimited)',
  },
  { name: 'sessions_per_month', type: 'limit', default: 5, description: 'fair use: web sessions per calendar month' },
  { name: 'trainings_per_year', type: 'limit', default: 1, description: 'fair use: training sessions in any 12 months' },
];

/** Plans' fields, in CSV column order. `modules` is ';'-separated in CSV and on the command line. */
export const PLAN_FIELDS: readonly FieldSpec[] = [
  { name: 'code', type: 'key', required: true, description: 'plan code (unique across all products)' },
  { name: 'name', type: 'text', required: true, description: 'plan name' },
  { name: 'product', type: 'key', required: true, description: 'code of the product it belongs to' },
  { name: 'currency', type: 'text', required: true, description: 'ISO 4217 currency code, e.g. EUR' },
  { name: 'modules', type: 'list', default: [], description: 'included modules, ";"-separated (e.g. "grades;attendance")' },
  { name: 'legacy', type: 'bool', default: false, description: 'retired: keeps running subscriptions, takes no new ones' },
  ...LIMIT_FIELDS,
  {
    name: 'included_training_credits',
    type: 'int',
    min: 0,
    default: 0,
    description: 'credits of the training a subscription on this plan includes (0: none; docs/trainings.md)',
  },
];

/** Price table rows, in CSV column order. An empty max_students is the "any number" (flat) row. */
export const PRICE_FIELDS: readonly FieldSpec[] = [
  { name: 'plan', type: 'key', required: true, description: 'plan code' },
  { name: 'max_students', type: 'int', min: 1, description: 'largest number of students this row covers (empty: any number)' },
  TERM_FIELD,
  { name: 'amount', type: 'money', required: true, description: 'price for the term, e.g. 450.00' },
];
