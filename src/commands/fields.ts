import type { Command } from 'commander';
import { CUSTOM_FIELD_TYPES } from '../accounts/fields.js';
import type { Io } from '../io.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

export function registerFields(program: Command, io: Io): void {
  const fields = program
    .command('fields')
    .description('custom fields of accounts (set with: acctmgr accounts add|edit --field NAME=VALUE)');

  fields
    .command('define <name>')
    .description('define a custom field for accounts (name: lower-case letters, digits, _)')
    .requiredOption('--type <type>', `value type (${CUSTOM_FIELD_TYPES.join('|')})`)
    .option('--required', 'every account must have a value (enforced on add and edit)')
    .addHelpText(
      'after',
      '\nValues: number = decimal (12, 12.5, -3); date = YYYY-MM-DD; bool = true/false/yes/no/1/0.\n' +
        '\nExample:\n  acctmgr fields define crm_id --type text --required',
    )
    .action(
      act(io, async (s, name) => {
        const { defineField } = await import('../accounts/custom-fields.js');
        const r = await s.tx((db) =>
          defineField(db, s.op(), { name: name, type: s.opts.type as string, required: Boolean(s.opts.required) }),
        );
        if (r.accounts_missing > 0) {
          s.warn(`${r.accounts_missing} existing account(s) have no ${r.name} yet; their next edit must set it (--field ${r.name}=VALUE)`);
        }
        const { accounts_missing: _, ...record } = r;
        await s.changed(record.name, record);
      }),
    );

  fields
    .command('list')
    .description('list the custom fields with their type and how many accounts have a value')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr fields list --json')
    .action(
      act(io, async (s) => {
        const { listFields } = await import('../accounts/custom-fields.js');
        await s.list(await listFields(await s.db(), s.op()), ['name', 'type', 'required', 'account_count']);
      }),
    );
}
