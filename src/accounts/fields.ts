import type { FieldSpec } from '../lib/fields.js';

export const ACCOUNT_TYPES = ['school', 'company', 'training_provider', 'tutor', 'guest'] as const;
export const ACCOUNT_STATUSES = ['active', 'deactivated'] as const;
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'bool'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** Accounts' fields, in CSV column order (custom fields follow as further columns). */
export const ACCOUNT_FIELDS: readonly FieldSpec[] = [
  { name: 'external_id', type: 'key', description: 'external id (unique; generated when not given)' },
  { name: 'name', type: 'text', required: true, description: 'account name' },
  { name: 'type', type: 'enum', required: true, values: ACCOUNT_TYPES, description: 'account type' },
  { name: 'status', type: 'enum', values: ACCOUNT_STATUSES, default: 'active', description: 'status' },
  { name: 'group', type: 'key', description: 'account group by name (created when new)' },
  { name: 'parent_external_id', type: 'key', description: 'parent account (makes this a sub-account)' },
  { name: 'country', type: 'text', description: 'country' },
  { name: 'region', type: 'text', description: 'region' },
  { name: 'registration_no', type: 'text', description: 'company/registration number' },
  { name: 'student_count', type: 'int', min: 0, description: 'number of students' },
  { name: 'locale', type: 'text', description: 'locale, e.g. en, bg' },
  { name: 'manager_login', type: 'login', description: 'account manager login (none for tutors)' },
  {
    name: 'customer_emails',
    type: 'bool',
    default: true,
    description: 'the customer gets invoice emails (off: its notices are recorded as skipped)',
  },
];

/**
 * The keys `accounts show` adds to an account's record (AccountDetails, src/accounts/query.ts): a custom
 * field may not take one of them, or its value would hide behind it.
 */
export const ACCOUNT_SHOW_KEYS = [
  'parent_name',
  'manager_name',
  'manager_email',
  'manager_phone',
  'manager_mobile',
  'sub_accounts',
  'contact_count',
  'last_activity',
  'next_activity',
  'trainings',
] as const;

/** `accounts list --sort` accepts every account field name. */
export const ACCOUNT_SORT_KEYS = ACCOUNT_FIELDS.map((f) => f.name);

/** Account groups' fields, in CSV column order. */
export const GROUP_FIELDS: readonly FieldSpec[] = [{ name: 'name', type: 'key', required: true, description: 'group name' }];
