import { InvalidArgumentError, Option, type Command } from 'commander';
import { quote } from '../errors.js';
import type { Io } from '../io.js';
import { formatOption, parseDateOption } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { NoticeLedgerRecord } from '../notices/service.js';

const COLUMNS = [
  'id',
  'kind',
  'stage',
  'due_date',
  'status',
  'recipient_login',
  'recipient_email',
  'subscription_external_id',
  'contact_email',
  'updated_at',
  'reason',
];
const FIELDS = fieldsOf<NoticeLedgerRecord>()([
  'id',
  'kind',
  'stage',
  'cycle',
  'due_date',
  'status',
  'reason',
  'recipient_login',
  'recipient_email',
  'account_external_id',
  'subscription_external_id',
  'contact_email',
  'invoice_number',
  'attempts',
  'run_id',
  'created_at',
  'updated_at',
  'sent_at',
]);

export function registerNotices(program: Command, io: Io): void {
  const notices = program
    .command('notices')
    .description('the ledger of reminder notices (what remind claimed, sent, skipped, failed or left in doubt)');
  notices
    .command('list')
    .description('list the notices ledger, oldest first')
    .addOption(new Option('--status <status>', 'only this status (claimed|in_doubt|sent|failed|skipped)'))
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
        await s.list(rows, COLUMNS, FIELDS);
      }),
    );

  notices
    .command('settle')
    .description("record what became of notices left in doubt, after checking the mail server's log")
    .argument('<id...>', 'ledger ids of in_doubt notices (notices list --status in_doubt)', collectId)
    .addOption(
      new Option('--as <outcome>', 'sent: the server accepted it; unsent: it did not (retried while its stage lasts)')
        .choices(['sent', 'unsent'])
        .makeOptionMandatory(),
    )
    .addHelpText('after', '\nExample:\n  acctmgr notices settle 41 42 --as sent')
    .action(act(io, settle));
}

function collectId(raw: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) throw new InvalidArgumentError(`${quote(raw)} is not a notice id`);
  // beyond 2^53 − 1 the number read is not the one written (SQLite looked up another; PostgreSQL refused a bigint)
  if (!Number.isSafeInteger(Number(raw)))
    throw new InvalidArgumentError(`${quote(raw)} is not a notice id (larger than ${Number.MAX_SAFE_INTEGER})`);
  return [...previous, Number(raw)];
}

async function settle(s: Session, ids: unknown): Promise<void> {
  const { settleInDoubt } = await import('../notices/settle.js');
  const { liveness } = await import('../db/liveness.js');
  const as = s.opts.as as 'sent' | 'unsent';
  const live = liveness(await s.open());
  const rows = await s.tx((db) => settleInDoubt(db, s.op(), ids as number[], as, { isLive: (h) => live.isLive(h) }));
  if (s.opts.json) await s.list(rows);
  else s.io.out(rows.map((r) => `${r.id}\n`).join(''));
  s.message(`settled ${rows.length} notice(s) as ${as}`);
}
