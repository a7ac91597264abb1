/** The database as kysely sees it: one interface per table, assembled here. */
import type { AccountFieldValuesTable, AccountGroupsTable, AccountsTable, CustomFieldsTable } from './accounts.js';
import type { AuditLogTable } from './audit.js';
import type { ContactsTable } from './contacts.js';
import type { ImportTables } from './imports.js';
import type { ManagerLeavesTable, ManagersTable } from './managers.js';
import type { NoticeTables } from './notices.js';
import type {
  LoginEventsTable,
  PlanPricesTable,
  PlansTable,
  ProductsTable,
  SeatsTable,
  SubscriptionHistoryTable,
  SubscriptionsTable,
} from './subscriptions.js';

export interface DB extends ImportTables, NoticeTables {
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
}
