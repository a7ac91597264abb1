import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { REQUEST_FIELDS, REQUEST_PRIORITIES, REQUEST_STATUSES } from '../requests/fields.js';
import { addFieldOptions, addLoop, formatOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf, without } from '../output/fields.js';
import type { RequestRecord } from '../requests/service.js';

export const LIST_FIELDS = fieldsOf<RequestRecord>()([
  'id',
  'account_external_id',
  'contact_email',
  'subject',
  'description',
  'priority',
  'status',
  'created_by_login',
  'created_at',
  'updated_at',
]);
export const LIST_COLUMNS = without(LIST_FIELDS, 'description', 'created_at');
const EDITABLE = REQUEST_FIELDS.filter((f) => ['subject', 'description', 'priority'].includes(f.name));

async function printChanged(s: Session, record: { id: string }): Promise<void> {
  await s.changed(record.id, record);
}

export function registerRequests(program: Command, io: Io): void {
  const requests = program
    .command('requests')
    .description("requests of an account's contacts (raised by the contact, or by a manager on their behalf)");

  addFieldOptions(requests.command('add').description('raise a request for a contact of an account'), REQUEST_FIELDS)
    .option('--account <external_id>', 'short for --account-external-id')
    .option('--contact <email>', 'short for --contact-email')
    .option(
      '--by <login>',
      "a manager raising it on the contact's behalf (setting manager-requests on; the manager is associated with the account)",
    )
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr requests add --account SCH-001 --contact ewa@sp12.example --subject "Parent app login fails" --priority high --by akowalski',
    )
    .action(
      act(io, async (s) => {
        const { addRequest } = await import('../requests/service.js');
        s.opts.accountExternalId ??= s.opts.account;
        s.opts.contactEmail ??= s.opts.contact;
        await addLoop(s, REQUEST_FIELDS, 'request', async (input) => {
          await printChanged(s, await s.tx((db) => addRequest(db, s.op(), input, s.opts.by as string | undefined)));
        });
      }),
    );

  requests
    .command('list')
    .description('list requests, newest first')
    .option('--account <external_id>', 'only this account')
    .option('--manager <login>', 'every request of every account this manager is associated with (the account or one of its subscriptions)')
    .option('--status <status>', `only this status (${REQUEST_STATUSES.join('|')})`)
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr requests list --manager akowalski --status open\n  acctmgr requests list --account SCH-001 --format csv',
    )
    .action(
      act(io, async (s) => {
        const { requestBatches } = await import('../requests/service.js');
        await s.listStream(await requestBatches(await s.db(), s.strings('account', 'manager', 'status')), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  requests
    .command('show <id>')
    .description('show a request')
    .addHelpText('after', '\nExample:\n  acctmgr requests show REQ-000001 --json')
    .action(
      act(io, async (s, id) => {
        const { showRequest } = await import('../requests/service.js');
        await s.show(await showRequest(await s.db(), id));
      }),
    );

  addFieldOptions(requests.command('edit <id>').description('change subject, description or priority; move the status forward'), EDITABLE)
    .option('--status <status>', 'move forward one or more steps: in_progress or resolved')
    .addHelpText(
      'after',
      `\nExample:\n  acctmgr requests edit REQ-000001 --status in_progress --priority urgent\n\nPriorities: ${REQUEST_PRIORITIES.join(', ')}`,
    )
    .action(
      act(io, async (s, id) => {
        const { editRequest } = await import('../requests/service.js');
        const input = { ...readFieldInput(s.opts, EDITABLE), ...(s.opts.status !== undefined ? { status: s.opts.status } : {}) };
        if (Object.keys(input).length === 0)
          throw new UsageError('nothing to change: give --subject, --description, --priority or --status');
        await printChanged(s, await s.tx((db) => editRequest(db, s.op(), id, input)));
      }),
    );

  for (const [name, what] of [
    ['close', 'close a request (from any state)'],
    ['reopen', 'put a resolved or closed request back to open'],
  ] as const) {
    requests
      .command(`${name} <id>`)
      .description(what)
      .addHelpText('after', `\nExample:\n  acctmgr requests ${name} REQ-000001`)
      .action(
        act(io, async (s, id) => {
          const service = await import('../requests/service.js');
          const fn = name === 'close' ? service.closeRequest : service.reopenRequest;
          await printChanged(s, await s.tx((db) => fn(db, s.op(), id)));
        }),
      );
  }
}
