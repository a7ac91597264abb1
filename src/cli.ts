/**
 * Builds the commander program. Only commander is imported eagerly; every command module imports its
 * services lazily inside its actions, so `acctmgr --help` stays fast.
 */
import { Command, Help, Option } from 'commander';
import type { Io } from './io.js';
import { parseDateOption } from './commands/date-option.js';

/** Stand-ins for commands whose modules were not loaded, and the term help shows for them. */
const placeholders = new WeakMap<Command, string>();

export type Register = (program: Command, io: Io) => void;

export const VERSION = '0.1.0';

export async function buildProgram(io: Io, argv: readonly string[]): Promise<Command> {
  const program = new Command('acctmgr')
    .description('Customer accounts, account managers, subscriptions and renewal reminders')
    .version(VERSION)
    .option(
      '--db <path|url>',
      'SQLite file or postgres://USER@HOST:PORT/DBNAME (env ACCTMGR_DB, config "db"; default ~/.local/share/acctmgr/acctmgr.db)',
    )
    .option('--actor <name>', 'who the change is made for: recorded in the audit log beside the real actor (on_behalf_of)')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--wide', 'tables on a terminal show every value whole instead of cut to its width')
    .option('--yes', 'confirm destructive operations (required when stdin is not a terminal)')
    .addOption(new Option('--as-of <date>', 'evaluate date rules on this day (YYYY-MM-DD; default today)').argParser(parseDateOption))
    .option('--debug', 'show stack traces for errors (and how an import ran)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 operation failed, 2 usage error (acctmgr help exit-codes).');
  configure(program, io);
  const needed = neededCommands(argv);
  for (const e of COMMANDS) {
    if (needed.has(nameOf(e))) (await e.load())(program, io);
    else placeholders.set(program.command(nameOf(e)).description(e.summary), e.term);
  }
  return program;
}

/**
 * The top-level commands, in the order help lists them. Each module is imported only when its command
 * runs (or for completion, which walks the whole tree); the others stand in as a name, the term help
 * shows and the summary, so `acctmgr --help` loads no service, kysely or driver. test/unit/cli-lazy.test.ts
 * checks that every entry's term and summary are what its module defines.
 */
export interface CommandEntry {
  /** what help shows to the left: name, `[options]`, arguments */
  term: string;
  summary: string;
  load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    term: 'demo [options]',
    summary: 'load the bundled fixtures into a fresh database and show accounts and due notices',
    load: async () => (await import('./commands/demo.js')).registerDemo,
  },
  {
    term: 'managers',
    summary: 'account managers: the people who look after accounts',
    load: async () => (await import('./commands/managers.js')).registerManagers,
  },
  {
    term: 'accounts',
    summary: 'customer accounts: schools, companies, training providers, tutors, guests',
    load: async () => (await import('./commands/accounts.js')).registerAccounts,
  },
  {
    term: 'groups',
    summary: 'account groups (naming a new group anywhere creates it)',
    load: async () => (await import('./commands/groups.js')).registerGroups,
  },
  {
    term: 'fields',
    summary: 'custom fields of accounts (set with: acctmgr accounts add|edit --field NAME=VALUE)',
    load: async () => (await import('./commands/fields.js')).registerFields,
  },
  {
    term: 'contacts',
    summary: 'contacts: the people of a customer account (addressed as EMAIL [--account EXTERNAL_ID])',
    load: async () => (await import('./commands/contacts.js')).registerContacts,
  },
  {
    term: 'products',
    summary: 'products that subscriptions are sold for (a subject site, an e-diary …)',
    load: async () => (await import('./commands/products.js')).registerProducts,
  },
  {
    term: 'plans',
    summary: "products' plans, their modules and price tables",
    load: async () => (await import('./commands/plans.js')).registerPlans,
  },
  {
    term: 'subscriptions',
    summary: 'subscriptions of accounts to products on plans: payment, renewal, upgrade, cancellation',
    load: async () => (await import('./commands/subscriptions.js')).registerSubscriptions,
  },
  {
    term: 'invoices',
    summary: 'invoices: numbered per year, issued, paid or void; printed for the customer',
    load: async () => (await import('./commands/invoices.js')).registerInvoices,
  },
  {
    term: 'seats',
    summary: "seats: teachers' user accounts on a subscription, and their logins",
    load: async () => (await import('./commands/seats.js')).registerSeats,
  },
  {
    term: 'activities',
    summary: 'the work log: calls, emails, meetings, web and training sessions, notes and tasks of an account',
    load: async () => (await import('./commands/activities.js')).registerActivities,
  },
  {
    term: 'requests',
    summary: "requests of an account's contacts (raised by the contact, or by a manager on their behalf)",
    load: async () => (await import('./commands/requests.js')).registerRequests,
  },
  {
    term: 'trainings',
    summary: "trainings sold to an account's teachers: topic, credits, format, dates, and the contract steps",
    load: async () => (await import('./commands/trainings.js')).registerTrainings,
  },
  {
    term: 'settings',
    summary: 'settings kept in the database (a fixed list of known keys; every change audited)',
    load: async () => (await import('./commands/settings.js')).registerSettings,
  },
  {
    term: 'import',
    summary: 'bulk import from CSV: validated, all-or-nothing, undoable (acctmgr import ENTITY FILE)',
    load: async () => (await import('./commands/import.js')).registerImport,
  },
  {
    term: 'export [options] <entity>',
    summary:
      'write one entity in exactly the import format (managers, groups, accounts, contacts, products, plans, prices, subscriptions, seats, logins, activities, requests, trainings, invoices)',
    load: async () => (await import('./commands/export.js')).registerExport,
  },
  {
    term: 'remind [options]',
    summary: 'renewal, dormancy and activation notices due on the as-of date: preview (default), --send or --mark-sent',
    load: async () => (await import('./commands/remind.js')).registerRemind,
  },
  {
    term: 'notices',
    summary: 'the ledger of reminder notices (what remind claimed, sent, skipped, failed or left in doubt)',
    load: async () => (await import('./commands/notices.js')).registerNotices,
  },
  {
    term: 'report',
    summary: "reports: usage of the sites, renewals ahead, managers' load, and all three as one HTML page",
    load: async () => (await import('./commands/report.js')).registerReport,
  },
  {
    term: 'audit [options]',
    summary: 'the audit log: who changed what, when, before and after',
    load: async () => (await import('./commands/audit.js')).registerAudit,
  },
  { term: 'db', summary: 'the database: migrations, backup, checks', load: async () => (await import('./commands/db.js')).registerDb },
  {
    term: 'doctor [options]',
    summary:
      'what needs a person: accounts without a manager, notices without a recipient, unavailable backups, legacy renewals, notices in doubt, seats of removed contacts, the database check',
    load: async () => (await import('./commands/doctor.js')).registerDoctor,
  },
  {
    term: 'config',
    summary: 'the configuration file and the settings in effect',
    load: async () => (await import('./commands/config.js')).registerConfig,
  },
  {
    term: 'completion <shell>',
    summary: 'print the shell completion script (bash|zsh|fish)',
    load: async () => (await import('./commands/completion.js')).registerCompletion,
  },
];

const nameOf = (e: CommandEntry) => e.term.split(' ')[0]!;
/** global options that take a value (the word after them is not the command) */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set(['--db', '--actor', '--as-of']);

/** The entries whose modules `argv` needs: the one its first word names, every one for completion, else none. */
export function neededCommands(argv: readonly string[]): Set<string> {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a === '__complete' ? new Set(COMMANDS.map(nameOf)) : new Set([a]);
  }
  return new Set();
}

/**
 * exitOverride so errors come back to main(); commander's own messages go to the injected io. Commands
 * created later with `.command()` inherit both settings from their parent.
 */
function configure(cmd: Command, io: Io): void {
  cmd.exitOverride();
  // commander quotes an option's value in its own error as given: control characters (an escape sequence
  // pasted into --as-of) are shown escaped, as in every message of ours, never sent to the terminal
  cmd.configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    outputError: (s, write) =>
      write(s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
  });
  // every command's help lists the global options too, under "Global options:"
  cmd.configureHelp({
    showGlobalOptions: true,
    subcommandTerm(sub: Command): string {
      return placeholders.get(sub) ?? Help.prototype.subcommandTerm.call(this, sub);
    },
    formatItemList(heading: string, items: string[], helper: Help): string[] {
      return Help.prototype.formatItemList.call(this, heading === 'Global Options:' ? 'Global options:' : heading, items, helper);
    },
  });
}
