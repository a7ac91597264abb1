import type { Command } from 'commander';
import { ACTIVITY_FIELDS, ACTIVITY_KINDS, ACTIVITY_STATUSES } from '../activities/fields.js';
import { ACTIVITY_RECORD_FIELDS, type ActivityRecord } from '../activities/record.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseTimestampOption } from './date-option.js';
import { addFieldOptions, addLoop, formatOption, parseDateOption, parseIntOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { AgendaRow } from '../activities/agenda.js';

const AGENDA_COLUMNS = ['agenda_of', 'part', 'at', 'id', 'account_external_id', 'account_name', 'kind', 'subject', 'covering_for'];
export const LIST_COLUMNS = ['id', 'at', 'account_external_id', 'kind', 'subject', 'manager_login', 'status', 'follow_up_of'];
export const LIST_FIELDS = ACTIVITY_RECORD_FIELDS;
const AGENDA_FIELDS = fieldsOf<AgendaRow>()([
  'agenda_of',
  'part',
  'at',
  'id',
  'account_external_id',
  'account_name',
  'kind',
  'subject',
  'contact_email',
  'covering_for',
]);

/** `--account` and `--contact`: the work log's short forms of `--account-external-id` and `--contact-email`. */
function shortForms(cmd: Command): Command {
  return cmd.option('--account <external_id>', 'short for --account-external-id').option('--contact <email>', 'short for --contact-email');
}

function applyShortForms(s: Session): void {
  s.opts.accountExternalId ??= s.opts.account;
  s.opts.contactEmail ??= s.opts.contact;
}

function nextOptions(cmd: Command): Command {
  return cmd
    .option('--next <subject>', 'also plan the follow-up: a task of the same account and manager')
    .option('--next-at <when>', 'when the follow-up is due (a date, or a date and time)', parseTimestampOption);
}

function overrideOptions(cmd: Command): Command {
  return cmd
    .option('--override', 'record a session past a fair-use limit (needs --reason)')
    .option('--reason <text>', 'why the limit is overridden');
}

/** The extras of add, edit and done; --next without --next-at and --override without --reason are usage errors. */
function extras(s: Session) {
  const o = s.opts as Record<string, string | boolean | undefined>;
  if (o.next !== undefined && o.nextAt === undefined) throw new UsageError('--next needs --next-at');
  if (o.nextAt !== undefined && o.next === undefined) throw new UsageError('--next-at needs --next');
  if (o.override && o.reason === undefined) throw new UsageError('--override needs --reason TEXT');
  if (o.reason !== undefined && !o.override) throw new UsageError('--reason goes with --override');
  return {
    next: o.next as string | undefined,
    next_at: o.nextAt as string | undefined,
    override_reason: o.override ? (o.reason as string) : undefined,
  };
}

/** Keys one a line; with --json the activity, and the follow-up planned with it under `next`. */
async function printChanged(s: Session, records: ActivityRecord[]): Promise<void> {
  const [first, next] = records;
  if (s.opts.json) await s.show(next ? { ...first!, next } : first!);
  else for (const r of records) s.io.out(`${r.id}\n`);
}

/** `activities agenda` (also a step of the demo). */
export async function agendaAction(s: Session): Promise<void> {
  const { agenda } = await import('../activities/agenda.js');
  const a = await agenda(await s.db(), s.asOf, { manager: s.opts.manager as string | undefined, days: s.opts.days as number | undefined });
  if (a.shown_to) s.message(`${String(s.opts.manager)} is on leave on ${s.asOf}: their agenda is shown to ${a.shown_to}`);
  await s.list(a.rows, AGENDA_COLUMNS, AGENDA_FIELDS);
}

export function registerActivities(program: Command, io: Io): void {
  const activities = program
    .command('activities')
    .description('the work log: calls, emails, meetings, web and training sessions, notes and tasks of an account');

  overrideOptions(
    nextOptions(shortForms(addFieldOptions(activities.command('add').description('record or plan an activity'), ACTIVITY_FIELDS))),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr activities add --account SCH-001 --kind call --subject "renewal" --contact ewa@sp12.example --next "send the renewal quote" --next-at 2026-12-09\n' +
        '  acctmgr activities add --account SCH-001 --kind web_session --subject "grades setup" --at 2026-12-03T10:00:00Z --override --reason "exam week"',
    )
    .action(
      act(io, async (s) => {
        const { addActivity } = await import('../activities/service.js');
        applyShortForms(s);
        const more = extras(s);
        await addLoop(s, ACTIVITY_FIELDS, 'activity', async (input) => {
          await printChanged(s, await s.tx((db) => addActivity(db, s.op(), input, more)));
        });
      }),
    );

  activities
    .command('list')
    .description('list activities, newest first')
    .option('--account <external_id>', 'only this account')
    .option('--manager <login>', 'only this manager')
    .option('--kind <kind>', `only this kind (${ACTIVITY_KINDS.join('|')})`)
    .option('--status <status>', `only this status (${ACTIVITY_STATUSES.join('|')})`)
    .option('--from <date>', 'at or after this day (UTC)', parseDateOption)
    .option('--to <date>', 'on or before this day (UTC)', parseDateOption)
    .option('--overrides', 'only sessions recorded past a fair-use limit')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr activities list --account SCH-001\n  acctmgr activities list --kind web_session --overrides --format csv',
    )
    .action(
      act(io, async (s) => {
        const { activityBatches } = await import('../activities/list.js');
        const filter = { ...s.strings('account', 'manager', 'kind', 'status', 'from', 'to'), overrides: Boolean(s.opts.overrides) };
        await s.listStream(await activityBatches(await s.db(), filter), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  activities
    .command('agenda')
    .description("planned activities: overdue, due on the day and in the next days, by manager (a manager on leave: in their backup's)")
    .option('--manager <login>', "only this manager's agenda (with what they cover for colleagues on leave)")
    .option('--days <n>', 'how many days after the day (default 7)', parseIntOption)
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr activities agenda --manager akowalski\n  acctmgr activities agenda --as-of 2026-12-01 --days 14 --json',
    )
    .action(act(io, agendaAction));

  activities
    .command('show <id>')
    .description('show an activity')
    .addHelpText('after', '\nExample:\n  acctmgr activities show ACT-000001 --json')
    .action(
      act(io, async (s, id) => {
        const { showActivity } = await import('../activities/service.js');
        await s.show(await showActivity(await s.db(), id));
      }),
    );

  overrideOptions(shortForms(addFieldOptions(activities.command('edit <id>').description("change an activity's fields"), ACTIVITY_FIELDS)))
    .addHelpText('after', '\nExample:\n  acctmgr activities edit ACT-000012 --at 2026-12-10T09:00:00Z --subject "grades setup, part 2"')
    .action(
      act(io, async (s, id) => {
        const { editActivity } = await import('../activities/service.js');
        applyShortForms(s);
        const more = extras(s);
        const input = readFieldInput(s.opts, ACTIVITY_FIELDS);
        if (Object.keys(input).length === 0 && more.override_reason === undefined)
          throw new UsageError('nothing to change: give at least one field flag');
        await printChanged(s, [await s.tx((db) => editActivity(db, s.op(), id, input, more))]);
      }),
    );

  nextOptions(activities.command('done <id>').description('close a planned activity as done (and plan the next step)'))
    .option('--outcome <text>', 'what came of it')
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr activities done ACT-000002 --outcome "quote accepted" --next "send the invoice" --next-at 2026-12-15',
    )
    .action(
      act(io, async (s, id) => {
        const { doneActivity } = await import('../activities/service.js');
        const more = extras(s);
        await printChanged(s, await s.tx((db) => doneActivity(db, s.op(), id, s.opts.outcome as string | undefined, more)));
      }),
    );

  activities
    .command('cancel <id>')
    .description('cancel a planned activity (a cancelled session no longer counts for fair use)')
    .addHelpText('after', '\nExample:\n  acctmgr activities cancel ACT-000007')
    .action(
      act(io, async (s, id) => {
        const { cancelActivity } = await import('../activities/service.js');
        await printChanged(s, [await s.tx((db) => cancelActivity(db, s.op(), id))]);
      }),
    );

  activities
    .command('remove <id>')
    .description('delete an activity (one that others follow is refused)')
    .addHelpText('after', '\nExample:\n  acctmgr activities remove ACT-000007 --yes')
    .action(
      act(io, async (s, id) => {
        const { removeActivity } = await import('../activities/service.js');
        await s.confirm(`Remove activity ${id}?`);
        await printChanged(s, [await s.tx((db) => removeActivity(db, s.op(), id))]);
      }),
    );
}
