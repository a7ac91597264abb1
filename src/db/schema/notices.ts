import type { Generated, Insertable, Selectable } from 'kysely';

/** The notices ledger: one row per (kind, subject_id, stage, cycle), a unique key. */
export interface NoticesTable {
  id: Generated<number>;
  /** renewal | dormancy | activation */
  kind: string;
  /** subscriptions.id for renewal and activation, seats.id for dormancy */
  subject_id: number;
  stage: string;
  /** the date the schedule counts from: end_date, last login/invitation date, or paid_at */
  cycle: string;
  due_date: string;
  /** claimed | in_doubt | sent | failed | skipped */
  status: string;
  reason: string | null;
  recipient_login: string | null;
  recipient_email: string | null;
  account_external_id: string;
  subscription_external_id: string;
  contact_email: string | null;
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

/** Tables of the remind issue (the notices ledger). */
export interface NoticeTables {
  notices: NoticesTable;
}
