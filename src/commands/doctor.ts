/** `acctmgr doctor`: findings that need a person, each with the command that fixes it. */
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

export function registerDoctor(program: Command, io: Io): void {
  program
    .command('doctor')
    .description(
      'what needs a person: accounts without a manager, notices without a recipient, unavailable backups, legacy renewals, notices in doubt, seats of removed contacts, the database check',
    )
    .addOption(formatOption())
    .addHelpText('after', '\nExit 0 when nothing was found, 1 otherwise.\n\nExample:\n  acctmgr doctor --as-of 2026-12-07')
    .action(
      act(io, async (s) => {
        const { runDoctor } = await import('../composites/doctor.js');
        const findings = await runDoctor(await s.open(), s.asOf);
        await s.list(findings, ['check', 'record', 'problem', 'fix']);
        if (findings.length === 0) {
          s.message(`doctor: nothing to do on ${s.asOf}`);
          return;
        }
        const { RefusedError } = await import('../errors.js');
        throw new RefusedError(`doctor: ${findings.length} finding(s) on ${s.asOf}`);
      }),
    );
}
