import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { EDITABLE_FIELDS, TRAINING_FIELDS, TRAINING_SOURCES, TRAINING_STATUSES, TRAINING_STEPS } from '../trainings/fields.js';
import { parseDateListOption, parseMonthOption } from './date-option.js';
import { addFieldOptions, addLoop, formatOption, parseDateOption, parseIntOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { CalendarEntry, Suggestion } from '../trainings/list.js';
import type { TrainingRecord } from '../trainings/record.js';

export const LIST_FIELDS = fieldsOf<TrainingRecord>()([
  'id',
  'account_external_id',
  'subscription_external_id',
  'topic',
  'credits',
  'register_no',
  'format',
  'venue',
  'participants',
  'dates',
  'travel',
  'source',
  'price',
  'currency',
  'manager_login',
  'expert_login',
  'status',
  'notes',
]);
export const LIST_COLUMNS = ['id', 'dates', 'account_external_id', 'topic', 'format', 'participants', 'source', 'manager_login', 'status'];
const CALENDAR_FIELDS = fieldsOf<CalendarEntry>()(['date', 'id', 'account_external_id', 'topic', 'format', 'status']);
const SUGGEST_FIELDS = fieldsOf<Suggestion>()([
  'account_external_id',
  'account_name',
  'manager_login',
  'subscription_external_id',
  'plan',
  'end_date',
]);
const SUGGEST_COLUMNS = ['end_date', 'account_external_id', 'account_name', 'manager_login', 'subscription_external_id', 'plan'];

async function printChanged(s: Session, record: { id: string }): Promise<void> {
  await s.changed(record.id, record);
}

/** `--dates`: each date's shape checked as commander parses it (exit 2), as every date option's. */
function datesOption(cmd: Command): Command {
  cmd.options.find((o) => o.long === '--dates')!.argParser(parseDateListOption);
  return cmd;
}

/** `--by` and `--on` of a step. */
function stepOptions(cmd: Command, by: string): Command {
  return cmd
    .option('--by <login>', by)
    .option('--on <date>', "the step's day (default: the as-of date; not before the previous step's)", parseDateOption);
}

export function registerTrainings(program: Command, io: Io): void {
  const trainings = program
    .command('trainings')
    .description("trainings sold to an account's teachers: topic, credits, format, dates, and the contract steps");

  datesOption(addFieldOptions(trainings.command('add').description('record a requested training'), TRAINING_FIELDS))
    .option('--account <external_id>', 'short for --account-external-id')
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr trainings add --account SCH-001 --topic "Formative assessment" --participants 24 --source cross_sell --price 900.00 --currency EUR\n' +
        '  acctmgr trainings add --account SCH-001 --topic "Digital classroom" --participants 12 --format online --dates "2027-01-12;2027-01-19"',
    )
    .action(
      act(io, async (s) => {
        const { addTraining } = await import('../trainings/service.js');
        s.opts.accountExternalId ??= s.opts.account;
        await addLoop(s, TRAINING_FIELDS, 'training', async (input) => {
          await printChanged(s, await s.tx((db) => addTraining(db, s.op(), input)));
        });
      }),
    );

  trainings
    .command('list')
    .description('list trainings by date (those without dates last)')
    .option('--account <external_id>', 'only this account')
    .option('--manager <login>', 'only this manager')
    .option('--status <status>', `only this status (${TRAINING_STATUSES.join('|')})`)
    .option('--source <source>', `only this source (${TRAINING_SOURCES.join('|')})`)
    .option('--from <date>', 'with a date on or after this day', parseDateOption)
    .option('--to <date>', 'with a date on or before this day', parseDateOption)
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr trainings list --manager akowalski --status confirmed\n  acctmgr trainings list --from 2027-01-01 --to 2027-03-31 --format csv',
    )
    .action(
      act(io, async (s) => {
        const { trainingBatches } = await import('../trainings/list.js');
        const filter = s.strings('account', 'manager', 'status', 'source', 'from', 'to');
        await s.listStream(await trainingBatches(await s.db(), filter), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  trainings
    .command('show <id>')
    .description('show a training with the history of its steps')
    .addHelpText('after', '\nExample:\n  acctmgr trainings show TRN-000001 --json')
    .action(
      act(io, async (s, id) => {
        const { showTraining } = await import('../trainings/service.js');
        await s.show(await showTraining(await s.db(), id));
      }),
    );

  datesOption(
    addFieldOptions(
      trainings.command('edit <id>').description("change a training's fields (what its step requires stays required)"),
      EDITABLE_FIELDS,
    ),
  )
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr trainings edit TRN-000001 --topic "Formative assessment" --register-no NRQ-2026-0412 --format offsite --venue "Hotel Panorama, Bansko" --dates "2027-02-04;2027-02-05" --travel',
    )
    .action(
      act(io, async (s, id) => {
        const { editTraining } = await import('../trainings/service.js');
        const input = readFieldInput(s.opts, EDITABLE_FIELDS);
        if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give at least one field flag');
        await printChanged(s, await s.tx((db) => editTraining(db, s.op(), id, input)));
      }),
    );

  stepOptions(
    trainings
      .command('advance <id>')
      .description(`move a training one step: ${TRAINING_STEPS.join(' → ')}`)
      .option('--to <status>', `the next step, named (refused if it is not the next one) (${TRAINING_STEPS.slice(1).join('|')})`),
    'who takes the step (a manager login); confirming needs it: the training expert',
  )
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr trainings advance TRN-000001 --to confirmed --by mexpert --on 2026-11-20\n  acctmgr trainings advance TRN-000001 --json',
    )
    .action(
      act(io, async (s, id) => {
        const { advanceTraining } = await import('../trainings/steps.js');
        const input = s.strings('to', 'by', 'on');
        await printChanged(s, await s.tx((db) => advanceTraining(db, s.op(), id, input)));
      }),
    );

  stepOptions(
    trainings.command('cancel <id>').description('cancel a training (at any step before delivered)'),
    'who cancels it (a manager login)',
  )
    .addHelpText('after', '\nExample:\n  acctmgr trainings cancel TRN-000003 --by akowalski')
    .action(
      act(io, async (s, id) => {
        const { cancelTraining } = await import('../trainings/steps.js');
        await printChanged(s, await s.tx((db) => cancelTraining(db, s.op(), id, s.strings('by', 'on'))));
      }),
    );

  trainings
    .command('calendar')
    .description('the trainings of a month, day by day (one line per date and training)')
    .option('--month <YYYY-MM>', 'the month (default: the as-of month)', parseMonthOption)
    .option('--all', 'cancelled trainings too')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr trainings calendar --month 2027-02 --json')
    .action(
      act(io, async (s) => {
        const { trainingCalendar } = await import('../trainings/list.js');
        const month = s.opts.month as string | undefined;
        await s.list(await trainingCalendar(await s.db(), s.op(), { month, all: Boolean(s.opts.all) }), CALENDAR_FIELDS, CALENDAR_FIELDS);
      }),
    );

  trainings
    .command('suggest')
    .description('cross-selling: accounts with a subscription ending soon and no training delivered in the last 12 months')
    .option('--within <days>', 'subscriptions ending within this many days of the as-of date (default 42)', parseIntOption)
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr trainings suggest --as-of 2026-12-01 --within 60 --format csv')
    .action(
      act(io, async (s) => {
        const { suggestTrainings } = await import('../trainings/list.js');
        await s.list(await suggestTrainings(await s.db(), s.op(), s.opts.within as number | undefined), SUGGEST_COLUMNS, SUGGEST_FIELDS);
      }),
    );
}
