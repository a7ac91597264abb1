import { ACTIVITY_KINDS, ACTIVITY_STATUSES } from '../db/schema/activities.js';
import type { FieldSpec } from '../lib/fields.js';

export { ACTIVITY_KINDS, ACTIVITY_STATUSES, type ActivityKind } from '../db/schema/activities.js';

/** Activities' fields, in CSV column order (the import and export rely on it). */
export const ACTIVITY_FIELDS: readonly FieldSpec[] = [
  { name: 'id', type: 'key', description: 'key ACT-000001 … (generated when not given)', readOnly: true },
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account' },
  { name: 'kind', type: 'enum', required: true, values: ACTIVITY_KINDS, description: 'kind' },
  { name: 'subject', type: 'text', required: true, description: 'subject' },
  { name: 'notes', type: 'note', description: 'notes' },
  { name: 'contact_email', type: 'email', description: 'a contact of the account' },
  { name: 'manager_login', type: 'login', description: "who does it (default: the account's manager)" },
  { name: 'at', type: 'timestamp', description: 'when (ISO 8601, stored in UTC; a date alone is 00:00 UTC; default now)' },
  {
    name: 'duration_minutes',
    type: 'int',
    min: 1,
    max: 100_000,
    description: 'duration in minutes (default 30 for web_session, 120 for training_session)',
  },
  { name: 'status', type: 'enum', values: ACTIVITY_STATUSES, description: 'status (default: done when at is not after now, else planned)' },
  { name: 'outcome', type: 'note', description: 'outcome' },
  { name: 'follow_up_of', type: 'key', description: 'key of the activity this one follows' },
  { name: 'override_reason', type: 'text', description: 'why a fair-use limit was overridden', readOnly: true },
];

/** The kinds fair use counts. */
export const SESSION_KINDS = ['web_session', 'training_session'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export function isSessionKind(kind: string): kind is SessionKind {
  return (SESSION_KINDS as readonly string[]).includes(kind);
}
