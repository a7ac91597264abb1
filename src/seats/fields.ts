import type { FieldSpec } from '../lib/fields.js';

export const SEAT_STATUSES = ['invited', 'active', 'removed'] as const;

/** Seats' fields, in CSV column order. A seat is a contact's user account on one subscription. */
export const SEAT_FIELDS: readonly FieldSpec[] = [
  { name: 'subscription_external_id', type: 'key', required: true, description: 'external id of the subscription' },
  { name: 'email', type: 'email', required: true, description: "email of a contact of the subscription's account" },
  { name: 'status', type: 'enum', values: SEAT_STATUSES, default: 'invited', description: 'status' },
  { name: 'invited_at', type: 'date', description: 'date invited' },
  { name: 'last_login_at', type: 'timestamp', description: 'last login (ISO 8601; stored in UTC)' },
  {
    name: 'removed_at',
    type: 'date',
    description: "date removed (a removed seat only; empty: the import's as-of date, or the date it has)",
  },
];

/** Login events (the usage record), in CSV column order. Key: subscription + email + at. */
export const LOGIN_FIELDS: readonly FieldSpec[] = [
  { name: 'subscription_external_id', type: 'key', required: true, description: 'external id of the subscription' },
  { name: 'email', type: 'email', required: true, description: "email of the seat's contact" },
  { name: 'at', type: 'timestamp', required: true, description: 'login time (ISO 8601; stored in UTC)' },
];
