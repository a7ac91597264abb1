import type { Command } from 'commander';
import { CONTACT_FIELDS, CONTACT_ROLES, CONTACT_STATUSES } from '../contacts/fields.js';
import { contactKey } from '../contacts/record.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { addFieldOptions, addLoop, formatOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { without } from '../output/fields.js';
import { CONTACT_RECORD_FIELDS } from '../contacts/record.js';

const LIST_FIELDS = CONTACT_RECORD_FIELDS;
const LIST_COLUMNS = without(LIST_FIELDS, 'invited_at');
const ACCOUNT_HELP = 'the account, needed only when the email is a contact of several accounts';

function account(s: Session): string | undefined {
  return s.opts.account as string | undefined;
}

export function registerContacts(program: Command, io: Io): void {
  const contacts = program
    .command('contacts')
    .description('contacts: the people of a customer account (addressed as EMAIL [--account EXTERNAL_ID])');

  addFieldOptions(contacts.command('add').description('add a contact to an account (at most 5 primary per account)'), CONTACT_FIELDS)
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr contacts add --account-external-id SCH-001 --name "Maria Ivanova" --email maria@school.example --role director --is-primary',
    )
    .action(
      act(io, async (s) => {
        const { addContact } = await import('../contacts/service.js');
        await addLoop(s, CONTACT_FIELDS, 'contact', async (input) => {
          const record = await s.tx((db) => addContact(db, s.op(), input));
          await s.changed(contactKey(record), record);
        });
      }),
    );

  contacts
    .command('list')
    .description('list contacts (removed ones only with --status removed)')
    .option('--account <external_id>', 'only this account')
    .option('--role <role>', `only this role (${CONTACT_ROLES.join('|')})`)
    .option('--status <status>', `only this status (${CONTACT_STATUSES.join('|')})`)
    .option('--primary', 'only primary contacts')
    .option('--no-primary', 'only contacts that are not primary')
    .option('--search <text>', 'part of the name or email')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr contacts list --account SCH-001 --primary\n  acctmgr contacts list --role teacher --format csv',
    )
    .action(
      act(io, async (s) => {
        const { contactBatches } = await import('../contacts/service.js');
        const filter = { ...s.strings('role', 'status', 'search'), account: account(s), primary: s.opts.primary as boolean | undefined };
        await s.listStream(await contactBatches(await s.db(), filter), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  contacts
    .command('show <email>')
    .description('show a contact')
    .option('--account <external_id>', ACCOUNT_HELP)
    .addHelpText('after', '\nExample:\n  acctmgr contacts show maria@school.example --account SCH-001 --json')
    .action(
      act(io, async (s, email) => {
        const { showContact } = await import('../contacts/service.js');
        await s.show(await showContact(await s.db(), email, account(s)));
      }),
    );

  addFieldOptions(contacts.command('edit <email>').description("change a contact's fields"), CONTACT_FIELDS)
    .option('--account <external_id>', ACCOUNT_HELP)
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr contacts edit maria@school.example --role deputy --no-is-primary\n' +
        '  acctmgr contacts edit maria@school.example --account SCH-001 --account-external-id SCH-002   (move)',
    )
    .action(
      act(io, async (s, email) => {
        const { editContact } = await import('../contacts/service.js');
        const input = readFieldInput(s.opts, CONTACT_FIELDS);
        if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give at least one field flag');
        const record = await s.tx((db) => editContact(db, s.op(), email, account(s), input));
        await s.changed(contactKey(record), record);
      }),
    );

  contacts
    .command('remove <email>')
    .description('remove a contact (kept as status removed; it no longer counts anywhere)')
    .option('--account <external_id>', ACCOUNT_HELP)
    .addHelpText('after', '\nExample:\n  acctmgr contacts remove maria@school.example --account SCH-001 --yes')
    .action(
      act(io, async (s, email) => {
        const { removeContact } = await import('../contacts/service.js');
        const where = account(s) ? ` of account ${account(s)}` : '';
        await s.confirm(`Remove contact ${email}${where}?`);
        const record = await s.tx((db) => removeContact(db, s.op(), email, account(s)));
        await s.changed(contactKey(record), record);
      }),
    );
}
