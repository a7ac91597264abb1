/** The database as kysely sees it: one file per table (its interface and row types), assembled here. */
import type { ActivitiesTable } from './activities.js';
import type { RequestsTable } from './requests.js';
import type { SettingsTable } from './settings.js';
import type { AccountFieldValuesTable } from './account-field-values.js';
import type { AccountGroupsTable } from './account-groups.js';
import type { AccountsTable } from './accounts.js';
import type { AuditLogTable } from './audit-log.js';
import type { ContactsTable } from './contacts.js';
import type { CustomFieldsTable } from './custom-fields.js';
import type { ImportBatchInsertsTable } from './import-batch-inserts.js';
import type { ImportBatchUpdatesTable } from './import-batch-updates.js';
import type { ImportBatchesTable } from './import-batches.js';
import type { LoginEventsTable } from './login-events.js';
import type { ManagerLeavesTable } from './manager-leaves.js';
import type { ManagersTable } from './managers.js';
import type { NoticesTable } from './notices.js';
import type { PlanPricesTable } from './plan-prices.js';
import type { PlansTable } from './plans.js';
import type { ProductsTable } from './products.js';
import type { SeatsTable } from './seats.js';
import type { SubscriptionHistoryTable } from './subscription-history.js';
import type { SubscriptionsTable } from './subscriptions.js';

export interface DB {
  managers: ManagersTable;
  manager_leaves: ManagerLeavesTable;
  account_groups: AccountGroupsTable;
  accounts: AccountsTable;
  custom_fields: CustomFieldsTable;
  account_field_values: AccountFieldValuesTable;
  contacts: ContactsTable;
  audit_log: AuditLogTable;
  products: ProductsTable;
  plans: PlansTable;
  plan_prices: PlanPricesTable;
  subscriptions: SubscriptionsTable;
  subscription_history: SubscriptionHistoryTable;
  seats: SeatsTable;
  login_events: LoginEventsTable;
  import_batches: ImportBatchesTable;
  import_batch_inserts: ImportBatchInsertsTable;
  import_batch_updates: ImportBatchUpdatesTable;
  notices: NoticesTable;
  activities: ActivitiesTable;
  settings: SettingsTable;
  requests: RequestsTable;
}
