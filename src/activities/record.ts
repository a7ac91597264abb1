/** The activity record that `show --json`, lists, export and the audit log carry. */
import type { Kysely } from '#kysely';
import { keyOf } from '../db/refs.js';
import { fieldsOf } from '../output/fields.js';
import type { DB } from '../db/schema/index.js';
import { activityKey } from './rules.js';

/** activities with the keys of what they refer to; every read goes through it. */
export function activitiesQuery(db: Kysely<DB>) {
  return db
    .selectFrom('activities as t')
    .innerJoin('accounts as acc', 'acc.id', 't.account_id')
    .selectAll('t')
    .select('acc.external_id as account_external_id')
    .select([
      keyOf('contacts', 't.contact_id').as('contact_email'),
      keyOf('managers', 't.manager_id').as('manager_login'),
      keyOf<number | null>('activities', 't.follow_up_of').as('follow_up_number'),
    ]);
}

export type ActivityWithRefs = Awaited<ReturnType<ReturnType<typeof activitiesQuery>['executeTakeFirstOrThrow']>>;

/** Exactly the CSV columns, null for absent. */
export interface ActivityRecord {
  id: string;
  account_external_id: string;
  kind: string;
  subject: string;
  notes: string | null;
  contact_email: string | null;
  manager_login: string | null;
  at: string;
  duration_minutes: number | null;
  status: string;
  outcome: string | null;
  follow_up_of: string | null;
  override_reason: string | null;
}

/** The record's fields in order: the CSV columns and a list's header. */
export const ACTIVITY_RECORD_FIELDS = fieldsOf<ActivityRecord>()([
  'id',
  'account_external_id',
  'kind',
  'subject',
  'notes',
  'contact_email',
  'manager_login',
  'at',
  'duration_minutes',
  'status',
  'outcome',
  'follow_up_of',
  'override_reason',
]);

/** The stored column of each field that is stored under another name (a key becomes its row's id). */
const STORED_AS: Record<string, string> = {
  id: 'number',
  account_external_id: 'account_id',
  contact_email: 'contact_id',
  manager_login: 'manager_id',
};

/** The activities columns a record's fields are stored in (what an import writes). */
export const ACTIVITY_COLUMNS = ACTIVITY_RECORD_FIELDS.map((f) => STORED_AS[f] ?? f);

export function toActivityRecord(r: ActivityWithRefs): ActivityRecord {
  return {
    id: activityKey(r.number),
    account_external_id: r.account_external_id,
    kind: r.kind,
    subject: r.subject,
    notes: r.notes,
    contact_email: r.contact_email,
    manager_login: r.manager_login,
    at: r.at,
    duration_minutes: r.duration_minutes,
    status: r.status,
    outcome: r.outcome,
    follow_up_of: r.follow_up_number === null ? null : activityKey(r.follow_up_number),
    override_reason: r.override_reason,
  };
}
