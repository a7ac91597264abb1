import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { formatOption, parseDateOption } from './field-options.js';
import { act } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { AuditRecord } from '../audit/audit.js';

export const FIELDS = fieldsOf<AuditRecord>()(['id', 'at', 'actor', 'on_behalf_of', 'action', 'entity', 'key', 'before', 'after']);
export const COLUMNS = ['id', 'at', 'actor', 'on_behalf_of', 'action', 'entity', 'key'];

export function registerAudit(program: Command, io: Io): void {
  program
    .command('audit')
    .description('the audit log: who changed what, when, before and after')
    .option('--entity <entity>', 'only this entity (manager, account, contact, group, …)')
    .option('--key <key>', 'only this record key')
    .addOption(new Option('--since <date>', 'only changes on or after this day (UTC)').argParser(parseDateOption))
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr audit --entity account --since 2026-11-01 --json')
    .action(
      act(io, async (s) => {
        const { auditBatches } = await import('../audit/audit.js');
        const { checkDate } = await import('../lib/checks.js');
        const batches = auditBatches(await s.db(), {
          entity: s.opts.entity as string | undefined,
          key: s.opts.key as string | undefined,
          since: checkDate('since', s.opts.since),
        });
        // CSV writes before and after as their JSON text (src/output/csv.ts)
        await s.listStream(batches, COLUMNS, FIELDS);
      }),
    );
}
