import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { MANAGER_FIELDS, MANAGER_STATUSES } from '../managers/fields.js';
import { UsageError } from '../errors.js';
import { addFieldOptions, addLoop, formatOption, parseDateOption, readFieldInput } from './field-options.js';
import { act } from './session.js';
import { readPassword, refusePasswordArgument } from './password-input.js';
import { fieldsOf } from '../output/fields.js';
import type { ManagerRecord } from '../managers/service.js';

const LIST_COLUMNS = ['login', 'name', 'email', 'employee_id', 'region', 'status'];
const LIST_FIELDS = fieldsOf<ManagerRecord>()([
  'login',
  'name',
  'email',
  'employee_id',
  'phone',
  'mobile',
  'region',
  'status',
  'has_password',
]);

export function registerManagers(program: Command, io: Io): void {
  const managers = program.command('managers').description('account managers: the people who look after accounts');

  addFieldOptions(managers.command('add').description('add a manager'), MANAGER_FIELDS)
    .option('--password-stdin', 'read the portal password from stdin (first line)')
    .addOption(refusePasswordArgument())
    .addHelpText('after', '\nExample:\n  acctmgr managers add --login akowalski --name "Anna Kowalski" --email anna@vendor.example')
    .action(
      act(io, async (s) => {
        const svc = await import('../managers/service.js');
        const password = s.opts.passwordStdin ? await readPassword(s, true) : undefined;
        await addLoop(s, MANAGER_FIELDS, 'manager', async (input) => {
          const record = await s.tx(async (db) => {
            const r = await svc.addManager(db, s.op(), input);
            return password === undefined ? r : svc.setPassword(db, s.op(), r.login, password);
          });
          await s.changed(record.login, record);
        });
      }),
    );

  managers
    .command('list')
    .description('list managers')
    .option('--region <region>', 'only this region')
    .option('--status <status>', `only this status (${MANAGER_STATUSES.join('|')})`)
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr managers list --region north --json')
    .action(
      act(io, async (s) => {
        const { listManagers } = await import('../managers/service.js');
        await s.list(await listManagers(await s.db(), s.op(), s.strings('region', 'status')), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  managers
    .command('show <login>')
    .description('show a manager with the accounts they hold')
    .addHelpText('after', '\nExample:\n  acctmgr managers show akowalski')
    .action(
      act(io, async (s, login) => {
        const { showManager } = await import('../managers/service.js');
        await s.show(await showManager(await s.db(), s.op(), login));
      }),
    );

  addFieldOptions(managers.command('edit <login>').description("change a manager's fields"), MANAGER_FIELDS)
    .addHelpText('after', '\nExample:\n  acctmgr managers edit akowalski --mobile "+48 600 100 200"')
    .action(
      act(io, async (s, login) => {
        const { editManager } = await import('../managers/service.js');
        const input = readFieldInput(s.opts, MANAGER_FIELDS);
        if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give at least one field flag');
        const record = await s.tx((db) => editManager(db, s.op(), login, input));
        await s.changed(record.login, record);
      }),
    );

  managers
    .command('remove <login>')
    .description('remove a manager (refused while they hold accounts, unless --reassign-to)')
    .option('--reassign-to <login>', 'hand their accounts, subscriptions and backup duties to this manager')
    .addHelpText('after', '\nExample:\n  acctmgr managers remove jdoe --reassign-to akowalski --yes')
    .action(
      act(io, async (s, login) => {
        const { removeManager } = await import('../composites/reassign.js');
        await s.confirm(`Remove manager ${login}?`);
        await s.tx((db) => removeManager(db, s.op(), login, s.opts.reassignTo as string | undefined));
        s.message(`removed manager ${login}`);
      }),
    );

  managers
    .command('leave <login>')
    .description('send everything addressed to a manager to a backup for a while')
    .requiredOption('--backup <login>', 'who stands in')
    .addOption(new Option('--from <date>', 'first day of the leave (default: today)').argParser(parseDateOption))
    .addOption(new Option('--until <date>', 'last day of the leave (default: until `return`)').argParser(parseDateOption))
    .addHelpText('after', '\nExample:\n  acctmgr managers leave akowalski --backup jnowak --from 2026-07-01 --until 2026-07-31')
    .action(
      act(io, async (s, login) => {
        const { startLeave } = await import('../managers/leave.js');
        const { checkDate } = await import('../lib/checks.js');
        const leave = await s.tx((db) =>
          startLeave(db, s.op(), login, {
            backup: s.opts.backup as string,
            from: checkDate('from', s.opts.from),
            until: checkDate('until', s.opts.until),
          }),
        );
        await s.changed(leave.login, leave);
      }),
    );

  managers
    .command('return <login>')
    .description("end a manager's leave (from the as-of date on, they receive again)")
    .addHelpText('after', '\nExample:\n  acctmgr managers return akowalski')
    .action(
      act(io, async (s, login) => {
        const { endLeave } = await import('../managers/leave.js');
        await s.tx((db) => endLeave(db, s.op(), login));
        s.io.out(`${login.toLowerCase()}\n`);
      }),
    );

  managers
    .command('reassign <from> <to>')
    .description("move all of FROM's accounts and subscriptions to TO (or only --account ones), in one transaction")
    .option('--account <external_id>', 'only this account (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addHelpText('after', '\nExample:\n  acctmgr managers reassign jdoe akowalski --account SCH-001 --yes')
    .action(
      act(io, async (s, from, to) => {
        const { reassign } = await import('../composites/reassign.js');
        await s.confirm(`Move ${from}'s accounts to ${to}?`);
        const result = await s.tx((db) => reassign(db, s.op(), from, to, (s.opts.account as string[]) ?? []));
        if (s.opts.json) await s.show(result);
        else s.io.out([...result.accounts, ...result.subscriptions].map((k) => `${k}\n`).join(''));
        s.message(
          `moved ${result.accounts.length} account(s) and ${result.subscriptions.length} subscription(s) from ${result.from} to ${result.to}`,
        );
      }),
    );

  managers
    .command('set-password <login>')
    .description('set the portal password (masked prompt, entered twice; or --password-stdin)')
    .option('--password-stdin', 'read the password from stdin (first line)')
    .addOption(refusePasswordArgument())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr managers set-password akowalski\n  printf %s "$PW" | acctmgr managers set-password akowalski --password-stdin',
    )
    .action(
      act(io, async (s, login) => {
        const { setPassword } = await import('../managers/service.js');
        const password = await readPassword(s, Boolean(s.opts.passwordStdin));
        await s.tx((db) => setPassword(db, s.op(), login, password));
        s.message(`password set for ${login.toLowerCase()}`);
      }),
    );
}
