/**
 * Every migration, listed statically so nothing scans directories at run time. Names sort in order of
 * application; a migration never imports from src/.
 */
import type { Migration } from '#kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_subscriptions.js';
import * as m0003 from './0003_imports.js';
import * as m0004 from './0004_notices.js';
import * as m0005 from './0005_keys.js';
import * as m0006 from './0006_row_batches.js';
import * as m0007 from './0007_on_behalf_of.js';
import * as m0008 from './0008_worklog.js';
import * as m0009 from './0009_requests.js';
import * as m0010 from './0010_trainings.js';
import * as m0011 from './0011_seat_removed_at.js';
import * as m0012 from './0012_invoices.js';
import * as m0013 from './0013_manager_changes.js';
import * as m0014 from './0014_invoice_training.js';
import * as m0015 from './0015_seat_last_login.js';
import * as m0016 from './0016_contacts_removed.js';
import * as m0017 from './0017_seat_base_statistics.js';
import * as m0018 from './0018_audit_actor_trigger.js';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_subscriptions': m0002,
  '0003_imports': m0003,
  '0004_notices': m0004,
  '0005_keys': m0005,
  '0006_row_batches': m0006,
  '0007_on_behalf_of': m0007,
  '0008_worklog': m0008,
  '0009_requests': m0009,
  '0010_trainings': m0010,
  '0011_seat_removed_at': m0011,
  '0012_invoices': m0012,
  '0013_manager_changes': m0013,
  '0014_invoice_training': m0014,
  '0015_seat_last_login': m0015,
  '0016_contacts_removed': m0016,
  '0017_seat_base_statistics': m0017,
  '0018_audit_actor_trigger': m0018,
};
