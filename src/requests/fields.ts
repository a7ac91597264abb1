import { REQUEST_PRIORITIES, REQUEST_STATUSES } from '../db/schema/requests.js';
import type { FieldSpec } from '../lib/fields.js';

export { REQUEST_PRIORITIES, REQUEST_STATUSES, type RequestStatus } from '../db/schema/requests.js';

/** Requests' fields, in CSV column order (the import and export rely on it). */
export const REQUEST_FIELDS: readonly FieldSpec[] = [
  { name: 'id', type: 'key', description: 'key REQ-000001 … (generated when not given)', readOnly: true },
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account' },
  { name: 'contact_email', type: 'email', required: true, description: 'the requester: a contact of the account' },
  { name: 'subject', type: 'text', required: true, description: 'subject' },
  { name: 'description', type: 'note', description: 'description' },
  { name: 'priority', type: 'enum', values: REQUEST_PRIORITIES, default: 'normal', description: 'priority' },
  { name: 'status', type: 'enum', values: REQUEST_STATUSES, default: 'open', description: 'status', readOnly: true },
  { name: 'created_by_login', type: 'login', description: "the manager who raised it on the contact's behalf", readOnly: true },
  { name: 'created_at', type: 'timestamp', description: 'when it was raised', readOnly: true },
  { name: 'updated_at', type: 'timestamp', description: 'when it last changed', readOnly: true },
];
