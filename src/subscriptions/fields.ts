import type { FieldSpec } from '../lib/fields.js';
import { STUDENTS_FIELD, TERM_FIELD } from '../plans/fields.js';
import { BASE_STATUSES } from './status.js';

/**
 * Subscriptions' fields, in CSV column order (the import and export rely on it). `status` is the stored
 * base status; the displayed one is computed for a date (status.ts). Activation codes are never in CSV.
 * The read-only fields are computed by `add` (end_date, price) or set by `pay`/`renew`; imports take
 * them as given.
 */
export const SUBSCRIPTION_FIELDS: readonly FieldSpec[] = [
  { name: 'external_id', type: 'key', description: 'external id (unique; generated when not given)' },
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account' },
  { name: 'product', type: 'key', description: "product code (default: the plan's product)" },
  { name: 'plan', type: 'key', required: true, description: 'plan code' },
  STUDENTS_FIELD,
  TERM_FIELD,
  { name: 'start_date', type: 'date', required: true, description: 'first day of access' },
  { name: 'end_date', type: 'date', readOnly: true, description: 'last day of access (start + term − 1 day)' },
  { name: 'status', type: 'enum', values: BASE_STATUSES, default: 'active', description: 'stored status' },
  { name: 'manager_login', type: 'login', description: "manager (default: the account's manager; none for tutors)" },
  { name: 'price', type: 'money', readOnly: true, description: "price for the term, from the plan's price table" },
  { name: 'paid_at', type: 'date', readOnly: true, description: 'date paid' },
  { name: 'renewed_from_external_id', type: 'key', readOnly: true, description: 'the subscription this one renews' },
];
