import type { Generated, Insertable, Selectable } from '#kysely';
import type { ImportTracked } from './import-tracked.js';

/** Stored statuses; `overdue` is only displayed (issued, unpaid, past due_on on the as-of date). */
export const INVOICE_STATUSES = ['planned', 'issued', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const DISPLAYED_INVOICE_STATUSES = [...INVOICE_STATUSES, 'overdue'] as const;
export type DisplayedInvoiceStatus = (typeof DISPLAYED_INVOICE_STATUSES)[number];

export interface InvoicesTable extends ImportTracked {
  id: Generated<number>;
  /** PREFIX-YYYY-NNNNN; null while planned */
  number: string | null;
  /** foldKey(number): unique */
  number_key: string | null;
  /** the calendar year of issued_on and the invoice's place in it: unique together, gap-free */
  year: number | null;
  seq: number | null;
  account_id: number;
  subscription_id: number | null;
  /** the training billed (references trainings since migration 0014) */
  training_id: number | null;
  /** n of `instalments` (null: billed at once) */
  instalment: number | null;
  instalments: number | null;
  period: string | null;
  /** JSON array of InvoiceLine */
  lines_json: string;
  amount_cents: number;
  currency: string;
  planned_on: string | null;
  issued_on: string | null;
  due_on: string | null;
  paid_on: string | null;
  status: string;
  void_reason: string | null;
  created_at: string;
  updated_at: string;
}
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;
