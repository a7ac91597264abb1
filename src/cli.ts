/**
 * Builds the commander program. Only commander is imported eagerly; every command module imports its
 * services lazily inside its actions, so `acctmgr --help` stays fast.
 */
import { Command, Help, Option } from 'commander';
import type { Io } from './io.js';
import { parseDateOption } from './commands/field-options.js';
import { registerManagers } from './commands/managers.js';
import { registerDb } from './commands/db.js';
import { registerAudit } from './commands/audit.js';
import { registerAccounts } from './commands/accounts.js';
import { registerGroups } from './commands/groups.js';
import { registerFields } from './commands/fields.js';
import { registerContacts } from './commands/contacts.js';
import { registerProducts } from './commands/products.js';
import { registerPlans } from './commands/plans.js';
import { registerSubscriptions } from './commands/subscriptions.js';
import { registerSeats } from './commands/seats.js';
import { registerImport } from './commands/import.js';
import { registerExport } from './commands/export.js';
import { registerRemind } from './commands/remind.js';
import { registerNotices } from './commands/notices.js';
import { registerDemo } from './commands/demo.js';
import { registerConfig } from './commands/config.js';
import { registerCompletion } from './commands/completion.js';
import { registerDoctor } from './commands/doctor.js';
import { registerActivities } from './commands/activities.js';
import { registerRequests } from './commands/requests.js';
import { registerSettings } from './commands/settings.js';
import { registerReport } from './commands/report.js';

export type Register = (program: Command, io: Io) => void;

export const VERSION = '0.1.0';

export function buildProgram(io: Io): Command {
  const program = new Command('acctmgr')
    .description('Customer accounts, account managers, subscriptions and renewal reminders')
    .version(VERSION)
    .option(
      '--db <path|url>',
      'SQLite file or postgres://USER@HOST:PORT/DBNAME (env ACCTMGR_DB, config "db"; default ~/.local/share/acctmgr/acctmgr.db)',
    )
    .option('--actor <name>', 'who the change is made for: recorded in the audit log beside the real actor (on_behalf_of)')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--yes', 'confirm destructive operations (required when stdin is not a terminal)')
    .addOption(new Option('--as-of <date>', 'evaluate date rules on this day (YYYY-MM-DD; default today)').argParser(parseDateOption))
    .option('--debug', 'show stack traces for errors (and how an import ran)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 operation failed, 2 usage error (acctmgr help exit-codes).');
  configure(program, io);
  for (const register of registry) register(program, io);
  return program;
}

const registry: Register[] = [
  registerDemo,
  registerManagers,
  registerAccounts,
  registerGroups,
  registerFields,
  registerContacts,
  registerProducts,
  registerPlans,
  registerSubscriptions,
  registerSeats,
  registerActivities,
  registerRequests,
  registerSettings,
  registerImport,
  registerExport,
  registerRemind,
  registerNotices,
  registerReport,
  registerAudit,
  registerDb,
  registerDoctor,
  registerConfig,
  registerCompletion,
];

/**
 * exitOverride so errors come back to main(); commander's own messages go to the injected io. Commands
 * created later with `.command()` inherit both settings from their parent.
 */
function configure(cmd: Command, io: Io): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  // every command's help lists the global options too, under "Global options:"
  cmd.configureHelp({
    showGlobalOptions: true,
    formatItemList(heading: string, items: string[], helper: Help): string[] {
      return Help.prototype.formatItemList.call(this, heading === 'Global Options:' ? 'Global options:' : heading, items, helper);
    },
  });
}
