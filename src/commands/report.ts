import type { Command } from 'commander';
import type { Io } from '../io.js';
import { parseMonthOption } from './date-option.js';
import { formatOption, parseIntOption } from './field-options.js';
import { act } from './session.js';

/** `acctmgr report usage|renewals|managers|html` (bodies in report-support.ts, loaded when run). */
export function registerReport(program: Command, io: Io): void {
  const report = program
    .command('report')
    .description("reports: usage of the sites, renewals ahead, managers' load, and all three as one HTML page");

  report
    .command('usage')
    .description(
      'per subscription and month: seats, active teachers, logins and dormant seats (default: the 12 months up to the as-of month)',
    )
    .option('--account <external_id>', 'only the subscriptions of this account')
    .option('--subscription <external_id>', 'only this subscription')
    .option('--manager <login>', 'only the subscriptions this manager manages')
    .option('--from <YYYY-MM>', 'first month (default 11 months before --to)', parseMonthOption)
    .option('--to <YYYY-MM>', 'last month (default the as-of month)', parseMonthOption)
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr report usage --account SCH-001\n  acctmgr report usage --from 2026-01 --to 2026-06 --format csv > usage.csv',
    )
    .action(
      act(io, async (s) => {
        const { usageAction } = await import('./report-support.js');
        await usageAction(s);
      }),
    );

  report
    .command('renewals')
    .description('per month and currency: subscriptions ending, their value, how many have a successor, how many are at risk')
    .option('--months <n>', 'how many months, the as-of month first (default 12)', parseIntOption)
    .option('--manager <login>', 'only the subscriptions this manager manages')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  acctmgr report renewals\n  acctmgr report renewals --months 6 --manager akowalski --json')
    .action(
      act(io, async (s) => {
        const { renewalsAction } = await import('./report-support.js');
        await renewalsAction(s);
      }),
    );

  report
    .command('managers')
    .description('per manager: accounts, running subscriptions, renewals in the next 6 weeks, notices due, overdue activities, leave')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  acctmgr report managers\n  acctmgr report managers --as-of 2026-12-01 --format csv')
    .action(
      act(io, async (s) => {
        const { managersAction } = await import('./report-support.js');
        await managersAction(s);
      }),
    );

  report
    .command('html')
    .description('the three reports as charts and tables in one self-contained HTML file (no network needed to open it)')
    .requiredOption('--out <file>', 'the HTML file to write (replaced atomically, mode 0600)')
    .option('--manager <login>', 'only the subscriptions this manager manages (usage and renewals)')
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr report html --out report.html\n  acctmgr report html --out anna.html --manager akowalski --as-of 2026-12-01',
    )
    .action(
      act(io, async (s) => {
        const { htmlAction } = await import('./report-support.js');
        await htmlAction(s);
      }),
    );
}
