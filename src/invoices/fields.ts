import { INVOICE_STATUSES } from '../db/schema/invoices.js';
import type { FieldSpec } from '../lib/fields.js';

export { INVOICE_STATUSES, DISPLAYED_INVOICE_STATUSES, type InvoiceStatus } from '../db/schema/invoices.js';

/**
 * Invoices' fields, in CSV column order (import and export rely on it). `lines` is a JSON array of
 * {description, quantity, unit_price, amount} (money as "450.00"); `status` is the stored status
 * (`overdue` is only displayed).
 */
export const INVOICE_FIELDS: readonly FieldSpec[] = [
  { name: 'number', type: 'key', description: 'PREFIX-YYYY-NNNNN (empty while planned)' },
  { name: 'account_external_id', type: 'key', required: true, description: 'external id of the account billed' },
  { name: 'subscription_external_id', type: 'key', description: 'the subscription billed' },
  { name: 'training_id', type: 'key', description: 'the training billed, by its key (TRN-000001)' },
  { name: 'instalment', type: 'int', min: 1, description: 'n of instalments (empty: billed at once)' },
  { name: 'instalments', type: 'int', min: 1, description: 'how many instalments' },
  { name: 'period', type: 'text', description: 'the period billed, e.g. the school year 2026/2027' },
  { name: 'lines', type: 'note', description: 'JSON array of {description, quantity, unit_price, amount}' },
  { name: 'amount', type: 'money', required: true, description: 'total (the sum of the lines)' },
  { name: 'currency', type: 'text', required: true, description: 'ISO currency code' },
  { name: 'planned_on', type: 'date', description: 'the day a planned invoice is issued' },
  { name: 'issued_on', type: 'date', description: 'date issued' },
  { name: 'due_on', type: 'date', description: 'date due' },
  { name: 'paid_on', type: 'date', description: 'date paid' },
  { name: 'status', type: 'enum', values: INVOICE_STATUSES, required: true, description: 'planned, issued, paid or void' },
  { name: 'void_reason', type: 'text', description: 'why it was voided' },
];
