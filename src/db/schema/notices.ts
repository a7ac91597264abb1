import type { Generated, Insertable, Selectable } from '#kysely';

/** What a notice is about (renewal, dormancy: subscriptions and seats; activation: a payment). */
export const NOTICE_KINDS = ['renewal', 'dormancy', 'activation'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A notice's place in the ledger: claimed -> in_doubt -> sent | failed; skipped for stages passed over. */
export const NOTICE_STATUSES = ['claimed', 'in_doubt', 'sent', 'failed', 'skipped'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** The notices ledger: one row per (kind, subject_id, stage, cycle), a unique key. */
export interface NoticesTable {
  id: Generated<number>;
  /** one of NOTICE_KINDS */
  kind: string;
  /** subscriptions.id for renewal and activation, seats.id for dormancy */
  subject_id: number;
  stage: string;
  /** the date the schedule counts from: end_date, last login/invitation date, or paid_at */
  cycle: string;
  due_date: string;
  /** one of NOTICE_STATUSES */
  status: string;
  reason: string | null;
  recipient_login: string | null;
  recipient_email: string | null;
  account_external_id: string;
  subscription_external_id: string;
  contact_email: string | null;
  /** the invoice a customer notice is about (migration 0012) */
  invoice_number: string | null;
  run_id: string;
  /** host:pid of the process that claimed the notice */
  claimed_by: string | null;
  attempts: Generated<number>;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}
export type NoticeRow = Selectable<NoticesTable>;
export type NewNoticeRow = Insertable<NoticesTable>;
