import type { Command } from 'commander';
import type { Io } from '../io.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

export function registerSettings(program: Command, io: Io): void {
  const settings = program
    .command('settings')
    .description('settings kept in the database (a fixed list of known keys; every change audited)');

  settings
    .command('list')
    .description('every setting with its value, default and allowed values')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr settings list --json')
    .action(
      act(io, async (s) => {
        const { listSettings } = await import('../settings/service.js');
        await s.list(await listSettings(await s.db()), ['key', 'value', 'default', 'values', 'description']);
      }),
    );

  settings
    .command('get <key>')
    .description("a setting's value")
    .addHelpText('after', '\nExample:\n  acctmgr settings get manager-requests')
    .action(
      act(io, async (s, key) => {
        const { showSetting } = await import('../settings/service.js');
        const record = await showSetting(await s.db(), key);
        if (s.format === 'table') s.io.out(`${record.value}\n`);
        else await s.show(record);
      }),
    );

  settings
    .command('set <key> <value>')
    .description('change a setting (audited)')
    .addHelpText('after', '\nExample:\n  acctmgr settings set manager-requests on')
    .action(
      act(io, async (s, key, value) => {
        const { setSetting } = await import('../settings/service.js');
        const record = await s.tx((db) => setSetting(db, s.op(), key, value));
        await s.changed(`${record.key}=${record.value}`, record);
      }),
    );
}
