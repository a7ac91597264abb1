import type { Command } from 'commander';
import type { Io } from '../io.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

export function registerGroups(program: Command, io: Io): void {
  const groups = program.command('groups').description('account groups (naming a new group anywhere creates it)');

  groups
    .command('add <name>')
    .description('add a group')
    .addHelpText('after', '\nExample:\n  acctmgr groups add "Sofia region"')
    .action(
      act(io, async (s, name) => {
        const { addGroup } = await import('../accounts/groups.js');
        const record = await s.tx((db) => addGroup(db, s.op(), name));
        await s.changed(record.name, record);
      }),
    );

  groups
    .command('list')
    .description('list groups with the number of accounts in each')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr groups list --format csv')
    .action(
      act(io, async (s) => {
        const { listGroups } = await import('../accounts/groups.js');
        await s.list(await listGroups(await s.db(), s.op()), ['name', 'account_count']);
      }),
    );

  groups
    .command('rename <name> <new_name>')
    .description('rename a group (its accounts stay in it)')
    .addHelpText('after', '\nExample:\n  acctmgr groups rename "Sofia" "Sofia region"')
    .action(
      act(io, async (s, name, newName) => {
        const { renameGroup } = await import('../accounts/groups.js');
        const record = await s.tx((db) => renameGroup(db, s.op(), name, newName));
        await s.changed(record.name, record);
      }),
    );

  groups
    .command('remove <name>')
    .description('remove a group; its accounts are kept, without a group or moved to --move-to')
    .option('--move-to <group>', 'put the accounts of the removed group in this group (created when new)')
    .addHelpText('after', '\nExample:\n  acctmgr groups remove "Old region" --move-to "Sofia region" --yes')
    .action(
      act(io, async (s, name) => {
        const { removeGroup, showGroup } = await import('../accounts/groups.js');
        const moveTo = s.opts.moveTo as string | undefined;
        const g = await showGroup(await s.db(), s.op(), name);
        const where = moveTo ? `moved to "${moveTo}"` : 'left without a group';
        await s.confirm(`Remove group "${g.name}" (${g.account_count} account(s) will be ${where})?`);
        const r = await s.tx((db) => removeGroup(db, s.op(), name, moveTo));
        if (s.opts.json) await s.show(r);
        s.message(
          `removed group "${r.name}"; ${r.accounts.length} account(s) ${r.moved_to ? `moved to "${r.moved_to}"` : 'left without a group'}`,
        );
      }),
    );
}
