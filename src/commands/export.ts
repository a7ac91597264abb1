import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { columnsHelp, ENTITIES, type EntityName } from '../formats/catalog.js';
import { act } from './session.js';

export function registerExport(program: Command, io: Io): void {
  program
    .command('export <entity>')
    .description(`write one entity in exactly the import format (${ENTITIES.join(', ')})`)
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--format <format>', 'csv (default) or json').choices(['csv', 'json']))
    .addHelpText(
      'after',
      `\nCSV: header line, LF, no BOM, rows sorted by key, quotes only where needed; a cell starting with = + - @
tab or CR is written as '+value (import removes that one quote). JSON is never altered. Activation codes
are never exported.\n\n${ENTITIES.map((e) => `${e}: ${columnsHelp(e).split('\n')[0]!.replace('Columns (* required): ', '')}`).join('\n')}

Examples:
  acctmgr export contacts --out contacts.csv
  acctmgr export accounts --format json`,
    )
    .action(
      act(io, async (s, entity) => {
        const { runExport } = await import('./export-support.js');
        await runExport(s, entity as EntityName);
      }),
    );
}
