import type { Command } from 'commander';
import { ACCOUNT_FIELDS, ACCOUNT_SORT_KEYS, ACCOUNT_STATUSES, ACCOUNT_TYPES } from '../accounts/fields.js';
import type { Io } from '../io.js';
import { addFieldOptions, addLoop, collectPair, formatOption, parseDateOption, parseIntOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { AccountRecord } from '../accounts/record.js';

export const LIST_COLUMNS = ['external_id', 'name', 'type', 'status', 'group', 'parent_external_id', 'manager_login', 'student_count'];
/** custom fields are columns of their own where `fields` is (and only once an account has a value) */
export const LIST_FIELDS = fieldsOf<AccountRecord>()([
  'external_id',
  'name',
  'type',
  'status',
  'group',
  'parent_external_id',
  'country',
  'region',
  'registration_no',
  'student_count',
  'locale',
  'manager_login',
  'customer_emails',
  'fields',
]);

function fieldOption(cmd: Command): Command {
  return cmd.option('--field <name=value>', 'custom field value (repeatable; empty value clears)', collectPair);
}

/** Prints the key, or with --json the account as `show` prints it. */
async function printAccount(s: Session, externalId: string): Promise<void> {
  if (!s.opts.json) return s.io.out(`${externalId}\n`);
  const { showAccount } = await import('../accounts/query.js');
  await s.show(await showAccount(await s.db(), s.op(), externalId));
}

export async function listAccountsAction(s: Session): Promise<void> {
  const { accountBatches } = await import('../accounts/query.js');
  const filter = {
    ...s.strings('manager', 'type', 'status', 'group', 'search', 'sort', 'inactiveSince'),
    desc: Boolean(s.opts.desc),
    limit: s.opts.limit as number | undefined,
  };
  await s.listStream(await accountBatches(await s.db(), s.op(), filter), LIST_COLUMNS, LIST_FIELDS);
}

export function registerAccounts(program: Command, io: Io): void {
  const accounts = program.command('accounts').description('customer accounts: schools, companies, training providers, tutors, guests');

  fieldOption(addFieldOptions(accounts.command('add').description('add an account (external id generated when not given)'), ACCOUNT_FIELDS))
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr accounts add --name "Sofia High School 12" --type school --group Sofia --manager-login akowalski --field crm_id=4711',
    )
    .action(
      act(io, async (s) => {
        const { addAccount } = await import('../accounts/service.js');
        // --field values belong to the first account only, not to those added after "add another?"
        let fields = s.opts.field as Record<string, string> | undefined;
        await addLoop(s, ACCOUNT_FIELDS, 'account', async (input) => {
          const record = await s.tx((db) => addAccount(db, s.op(), { ...input, fields }));
          fields = undefined;
          await printAccount(s, record.external_id);
        });
      }),
    );

  accounts
    .command('fair-use <external_id>')
    .description(
      'web and training sessions: used this week, this month and in the last 12 months, the limits, what remains, the next free day',
    )
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr accounts fair-use SCH-001 --as-of 2026-12-01 --json')
    .action(
      act(io, async (s, externalId) => {
        const { fairUseReport } = await import('../activities/report.js');
        await s.list(await fairUseReport(await s.db(), externalId, s.asOf));
      }),
    );

  accounts
    .command('list')
    .description('list accounts')
    .option('--manager <login>', 'only accounts held by this manager')
    .option('--type <type>', `only this type (${ACCOUNT_TYPES.join('|')})`)
    .option('--status <status>', `only this status (${ACCOUNT_STATUSES.join('|')})`)
    .option('--group <name>', 'only accounts in this group')
    .option('--search <text>', 'name, external id or registration number contains TEXT (any case)')
    .option('--sort <field>', `sort by this field (default external_id): ${ACCOUNT_SORT_KEYS.join(', ')}`)
    .option('--desc', 'sort descending')
    .option('--inactive-since <date>', 'only accounts with no done activity on or after this day (the neglected ones)', parseDateOption)
    .option('--limit <n>', 'at most N accounts', parseIntOption)
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr accounts list --type school --group Sofia --sort student_count --desc --limit 10')
    .action(act(io, listAccountsAction));

  accounts
    .command('show <external_id>')
    .description('show an account with its manager, parent, sub-accounts, contact count, custom fields and trainings')
    .addHelpText('after', '\nExample:\n  acctmgr accounts show SCH-001 --json')
    .action(
      act(io, async (s, key) => {
        const { showAccount } = await import('../accounts/query.js');
        await s.show(await showAccount(await s.db(), s.op(), key));
      }),
    );

  fieldOption(
    addFieldOptions(accounts.command('edit <external_id>').description("change an account's fields (empty value clears)"), ACCOUNT_FIELDS),
  )
    .addHelpText('after', '\nExample:\n  acctmgr accounts edit SCH-001 --student-count 420 --field crm_id=4712 --region ""')
    .action(
      act(io, async (s, key) => {
        const { editAccount } = await import('../accounts/service.js');
        const { UsageError } = await import('../errors.js');
        const input = { ...readFieldInput(s.opts, ACCOUNT_FIELDS), fields: s.opts.field as Record<string, string> | undefined };
        if (Object.keys(input).length === 1 && !input.fields)
          throw new UsageError('nothing to change: give at least one field flag or --field');
        const record = await s.tx((db) => editAccount(db, s.op(), key, input));
        await printAccount(s, record.external_id);
      }),
    );

  accounts
    .command('assign <external_id> <manager_login>')
    .description('give the account to a manager; its subscriptions managed by the previous manager follow')
    .addHelpText('after', '\nExample:\n  acctmgr accounts assign SCH-001 jnowak')
    .action(
      act(io, async (s, key, login) => {
        const { assignManager } = await import('../composites/accounts.js');
        const r = await s.tx((db) => assignManager(db, s.op(), key, login));
        s.message(`account ${r.account.external_id} → ${r.account.manager_login}; ${r.subscriptions.length} subscription(s) moved`);
        await printAccount(s, r.account.external_id);
      }),
    );

  accounts
    .command('move <external_id>')
    .description('put the account in a group (created when new; "" takes it out of its group)')
    .requiredOption('--group <name>', 'the group')
    .addHelpText('after', '\nExample:\n  acctmgr accounts move SCH-001 --group "Sofia region"')
    .action(
      act(io, async (s, key) => {
        const { moveAccount } = await import('../accounts/lifecycle.js');
        const record = await s.tx((db) => moveAccount(db, s.op(), key, s.opts.group as string));
        await printAccount(s, record.external_id);
      }),
    );

  for (const [verb, status] of [
    ['deactivate', 'deactivated'],
    ['activate', 'active'],
  ] as const) {
    accounts
      .command(`${verb} <external_id>`)
      .description(verb === 'deactivate' ? 'deactivate an account (kept with its history)' : 'activate a deactivated account')
      .addHelpText('after', `\nExample:\n  acctmgr accounts ${verb} SCH-001${verb === 'deactivate' ? ' --yes' : ''}`)
      .action(
        act(io, async (s, key) => {
          const { setAccountStatus } = await import('../accounts/lifecycle.js');
          if (verb === 'deactivate') await s.confirm(`Deactivate account ${key}?`);
          const r = await s.tx((db) => setAccountStatus(db, s.op(), key, status));
          if (!r.changed) s.message(`account ${r.account.external_id} is already ${status}`);
          await printAccount(s, r.account.external_id);
        }),
      );
  }

  accounts
    .command('remove <external_id>')
    .description('remove an account and its contacts (refused while it has sub-accounts or subscriptions)')
    .addHelpText('after', '\nExample:\n  acctmgr accounts remove GST-007 --yes')
    .action(
      act(io, async (s, key) => {
        const { assertRemovable, removeAccount } = await import('../composites/accounts.js');
        // refusals come before the question, so nobody confirms what will not happen
        const a = await assertRemovable(await s.db(), key);
        await s.confirm(`Remove account ${a.external_id} (${a.name}) and its ${a.contacts} contact(s)?`);
        const record = await s.tx((db) => removeAccount(db, s.op(), key));
        s.message(`removed account ${record.external_id}`);
      }),
    );
}
