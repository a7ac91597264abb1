import type { FieldSpec } from '../lib/fields.js';

export const MANAGER_STATUSES = ['active', 'on_leave', 'inactive'] as const;

/** Managers' fields, in CSV column order. */
export const MANAGER_FIELDS: readonly FieldSpec[] = [
  { name: 'login', type: 'login', required: true, description: 'login (ASCII letters a-z, digits, . _ -)' },
  { name: 'name', type: 'text', required: true, description: 'full name' },
  { name: 'email', type: 'email', required: true, description: 'email address' },
  { name: 'employee_id', type: 'text', description: 'employee id (unique)' },
  { name: 'phone', type: 'text', description: 'phone' },
  { name: 'mobile', type: 'text', description: 'mobile phone' },
  { name: 'region', type: 'text', description: 'region' },
  { name: 'status', type: 'enum', values: MANAGER_STATUSES, default: 'active', description: 'status' },
];
