import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { formatOption, parseDateOption } from './field-options.js';
import { act } from './session.js';

const COLUMNS = ['id', 'kind', 'stage', 'due_date', 'status', 'recipient_login', 'recipient_email', 'subscription_external_id', 'contact_email', 'updated_at', 'reason'];

export function registerNotices(program: Command, io: Io): void {
  const notices = program.command('notices').description('the ledger of reminder notices (what remind sent, skipped, failed or left in doubt)');
  notices
    .command('list')
    .description('list the notices ledger, oldest first')
    .addOption(new Option('--status <status>', 'only this status (sent|skipped|failed|in_doubt)'))
    .addOption(new Option('--since <date>', 'only notices recorded or changed on or after this day (UTC)').argParser(parseDateOption))
    .option('--recipient <login>', 'only notices to this manager login (or email address)')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr notices list --status in_doubt --since 2026-11-01 --json')
    .action(
      act(io, async (s) => {
        const { listNotices } = await import('../notices/service.js');
        const { checkDate } = await import('../lib/checks.js');
        const rows = await listNotices(await s.db(), {
          status: s.opts.status as string | undefined,
          since: checkDate('since', s.opts.since),
          recipient: s.opts.recipient as string | undefined,
        });
        await s.list(rows, COLUMNS);
      }),
    );
}
