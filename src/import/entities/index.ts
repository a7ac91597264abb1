/** Every entity importer by name; the order of ENTITIES is the dependency order of `import all`. */
import { accounts } from './accounts.js';
import { activities } from './activities.js';
import { requests } from './requests.js';
import { invoices } from './invoices.js';
import { contacts } from './contacts.js';
import { groups } from './groups.js';
import { logins } from './logins.js';
import { managers } from './managers.js';
import { plans } from './plans.js';
import { prices } from './prices.js';
import { products } from './products.js';
import { seats } from './seats.js';
import { subscriptions } from './subscriptions.js';
import { trainings } from './trainings.js';
import type { EntityDef, EntityName } from './types.js';

export const ENTITY_DEFS: Record<EntityName, EntityDef> = {
  managers,
  groups,
  accounts,
  contacts,
  products,
  plans,
  prices,
  subscriptions,
  seats,
  logins,
  activities,
  requests,
  trainings,
  invoices,
};
