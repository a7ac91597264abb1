import { TRAINING_FORMATS, TRAINING_SOURCES, TRAINING_STATUSES } from '../db/schema/trainings.js';
import type { FieldSpec } from '../lib/fields.js';

export { TRAINING_FORMATS, TRAINING_SOURCES, TRAINING_STATUSES, TRAINING_STEPS, type TrainingStatus } from '../db/schema/trainings.js';

/** Trainings' fields, in CSV column order (the import and export rely on it). */
export const TRAINING_FIELDS: readonly FieldSpec[] = [
  { name: 'id', type: 'key', description: 'key TRN-000001 … (generated when not given)', readOnly: true },
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account' },
  { name: 'subscription_external_id', type: 'key', description: 'the subscription of the account it came with, if any' },
  { name: 'topic', type: 'text', required: true, description: 'topic' },
  { name: 'credits', type: 'int', min: 0, max: 1000, default: 0, description: 'qualification credits (0: without credits)' },
  { name: 'register_no', type: 'text', description: "the topic's number in the national register (needed with credits from confirmed on)" },
  { name: 'format', type: 'enum', values: TRAINING_FORMATS, description: 'format' },
  { name: 'venue', type: 'text', description: 'where (needed for offsite from confirmed on)' },
  { name: 'participants', type: 'int', required: true, min: 1, max: 100_000, description: 'number of participants' },
  {
    name: 'dates',
    type: 'list',
    description: 'one or two dates YYYY-MM-DD, ";"-separated, in order (two: online, or two consecutive days)',
  },
  { name: 'travel', type: 'bool', default: false, description: 'accommodation and travel arranged (offsite only)' },
  { name: 'source', type: 'enum', values: TRAINING_SOURCES, default: 'direct', description: 'how it was sold' },
  { name: 'price', type: 'money', default: '0', description: 'price, e.g. 1200.00 (0 for a package training)' },
  { name: 'currency', type: 'text', description: 'ISO 4217 currency code of the price, e.g. EUR' },
  { name: 'manager_login', type: 'login', description: "the account manager (default: the account's)" },
  { name: 'expert_login', type: 'login', description: 'the training expert who confirmed it (advance --by)', readOnly: true },
  { name: 'status', type: 'enum', values: TRAINING_STATUSES, default: 'requested', description: 'status', readOnly: true },
  { name: 'notes', type: 'note', description: 'notes' },
];

export const trainingField = (name: string): FieldSpec => TRAINING_FIELDS.find((f) => f.name === name)!;

/** The fields `edit` changes: all but the account, the expert (advance --by) and the status (advance, cancel). */
export const EDITABLE_FIELDS = TRAINING_FIELDS.filter((f) => !f.readOnly && f.name !== 'account_external_id');
