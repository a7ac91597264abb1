/**
 * One query per entity selecting exactly the import columns (aliases = CSV column names), sorted by the
 * entity's key, so export → import → export gives the same file.
 */
import { sql, type Kysely } from '#kysely';
import type { LoadedDef } from '../accounts/custom-fields.js';
import { accountJoins } from '../accounts/record.js';
import { activitiesQuery } from '../activities/record.js';
import { requestsQuery } from '../requests/service.js';
import { trainingsQuery } from '../trainings/record.js';
import { invoicesQuery } from '../invoices/record.js';
import type { DB } from '../db/schema/index.js';
import type { EntityName } from '../formats/catalog.js';
import { seatsQuery } from '../seats/records.js';
import { subscriptionJoins } from '../subscriptions/records.js';

export function exportQuery(db: Kysely<DB>, entity: EntityName, defs: readonly LoadedDef[]) {
  switch (entity) {
    case 'managers':
      return db
        .selectFrom('managers')
        .select(['login', 'name', 'email', 'employee_id', 'phone', 'mobile', 'region', 'status'])
        .orderBy('login');
    case 'groups':
      return db.selectFrom('account_groups').select(['name']).orderBy('name_key');
    case 'accounts':
      return accountJoins(db)
        .select(['a.external_id', 'a.name', 'a.type', 'a.status', 'g.name as group', 'p.external_id as parent_external_id'])
        .select(['a.country', 'a.region', 'a.registration_no', 'a.student_count', 'a.locale', 'm.login as manager_login'])
        .select('a.customer_emails')
        .select((eb) =>
          defs.map((d) =>
            eb
              .selectFrom('account_field_values as v')
              .select('v.value')
              .whereRef('v.account_id', '=', 'a.id')
              .where('v.field_id', '=', d.id)
              .as(d.name),
          ),
        )
        .orderBy('a.external_id_key');
    case 'contacts':
      return db
        .selectFrom('contacts as c')
        .innerJoin('accounts as a', 'a.id', 'c.account_id')
        .select([
          'a.external_id as account_external_id',
          'c.name',
          'c.email',
          'c.role',
          'c.is_primary',
          'c.status',
          'c.invited_at',
          'c.last_login_at',
        ])
        .orderBy('a.external_id_key')
        .orderBy('c.email_key');
    case 'products':
      return db.selectFrom('products').select(['code', 'name']).orderBy('code_key');
    case 'plans':
      return db
        .selectFrom('plans as p')
        .innerJoin('products as pr', 'pr.id', 'p.product_id')
        .select(['p.code', 'p.name', 'pr.code as product', 'p.currency', 'p.modules', 'p.legacy'])
        .select(['p.sessions_per_week', 'p.sessions_per_month', 'p.trainings_per_year', 'p.included_training_credits'])
        .orderBy('p.code_key');
    case 'prices':
      return db
        .selectFrom('plan_prices as r')
        .innerJoin('plans as p', 'p.id', 'r.plan_id')
        .select(['p.code as plan', 'r.max_students', 'r.term_months', 'r.amount_cents as amount'])
        .orderBy('p.code_key')
        .orderBy(sql`r.max_students is null`)
        .orderBy('r.max_students')
        .orderBy('r.term_months');
    case 'subscriptions':
      return subscriptionJoins(db)
        .select(['s.external_id', 'a.external_id as account_external_id', 'p.code as product', 'pl.code as plan'])
        .select(['s.students', 's.term_months', 's.start_date', 's.end_date', 's.status', 'm.login as manager_login'])
        .select(['s.price_cents as price', 's.paid_at', 'prev.external_id as renewed_from_external_id'])
        .orderBy('s.external_id_key');
    case 'seats':
      // a seat's last login is the later of its stored value and its latest login event (last_event_at)
      return seatsQuery(db).orderBy('s.external_id_key').orderBy('c.email_key');
    case 'requests':
      // id becomes a key (REQ-000001) in src/export/service.ts
      return requestsQuery(db).orderBy('r.number');
    case 'trainings':
      // id, dates and price become the CSV's in src/export/service.ts
      return trainingsQuery(db).orderBy('t.number');
    case 'activities':
      // id and follow_up_of become keys (ACT-000001) in src/export/service.ts
      return activitiesQuery(db).orderBy('t.number');
    case 'invoices':
      // lines_json becomes `lines`, training_number the key TRN-000001 in src/export/service.ts
      return invoicesQuery(db).select(['a.external_id as account_external_id', 'i.amount_cents as amount']);
    case 'logins':
      return db
        .selectFrom('login_events as le')
        .innerJoin('seats as st', 'st.id', 'le.seat_id')
        .innerJoin('subscriptions as s', 's.id', 'st.subscription_id')
        .innerJoin('contacts as c', 'c.id', 'st.contact_id')
        .select(['s.external_id as subscription_external_id', 'c.email', 'le.at'])
        .orderBy('s.external_id_key')
        .orderBy('c.email_key')
        .orderBy('le.at');
  }
}
