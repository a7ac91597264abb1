import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { DISPLAYED_INVOICE_STATUSES } from '../invoices/fields.js';
import type { Io } from '../io.js';
import { formatOption, parseDateOption, parseIntOption } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf, without } from '../output/fields.js';
import type { InvoiceRecord } from '../invoices/record.js';

export const LIST_FIELDS = fieldsOf<InvoiceRecord>()([
  'number',
  'account_external_id',
  'account_name',
  'subscription_external_id',
  'training_id',
  'instalment',
  'instalments',
  'period',
  'lines',
  'amount',
  'currency',
  'planned_on',
  'issued_on',
  'due_on',
  'paid_on',
  'status',
  'days_overdue',
  'void_reason',
]);
export const LIST_COLUMNS = without(LIST_FIELDS, 'account_name', 'instalment', 'instalments', 'lines', 'planned_on', 'void_reason');

const example = (cmd: Command, text: string) => cmd.addHelpText('after', `\nExample:\n  ${text}`);

async function changed(s: Session, record: { number: string | null; subscription_external_id: string | null; instalment: number | null }) {
  const { invoiceName } = await import('../invoices/record.js');
  await s.changed(invoiceName(record), record);
}

/** What `issue --due` left planned and why (remind --send says it too). */
export async function notIssuedLines(skipped: { invoice: InvoiceRecord; reason: string }[]): Promise<string[]> {
  const { invoiceName } = await import('../invoices/record.js');
  return skipped.map(({ invoice, reason }) => {
    const name = invoiceName(invoice);
    return `planned invoice ${name} not issued: ${reason} (void it: acctmgr invoices void ${name} --reason TEXT)`;
  });
}

export function registerInvoices(program: Command, io: Io): void {
  const invoices = program.command('invoices').description('invoices: numbered per year, issued, paid or void; printed for the customer');

  example(
    invoices
      .command('issue')
      .description(
        "issue a subscription's invoice (its price for its term) or a training's (its price), or with --due the planned instalments whose day has come",
      )
      .option('--subscription <external_id>', 'the subscription billed')
      .option('--training <id>', 'the training billed (TRN-000001; not a package training, not a cancelled one)')
      .option('--due', 'issue every planned invoice whose day has come (remind --send does this first)')
      .addOption(new Option('--on <date>', 'issue date (default: today; not before the latest of its year)').argParser(parseDateOption))
      .addOption(new Option('--due-days <n>', 'days until due (default: the setting invoice-due-days)').argParser(parseIntOption))
      .addOption(formatOption()),
    'acctmgr invoices issue --subscription SUB-2026-001 --on 2026-09-01 --due-days 30\n  acctmgr invoices issue --training TRN-000002',
  ).action(
    act(io, async (s) => {
      const o = s.opts as { subscription?: string; training?: string; due?: boolean; on?: string; dueDays?: number };
      const given = [o.subscription !== undefined, o.training !== undefined, o.due === true].filter(Boolean).length;
      if (given !== 1) throw new UsageError('give exactly one of --subscription EXTERNAL_ID, --training ID and --due');
      const service = await import('../invoices/service.js');
      if (o.due) {
        if (o.on !== undefined || o.dueDays !== undefined) throw new UsageError('--due issues the planned invoices: give it alone');
        const { issued, skipped } = await s.tx((db) => service.issueDueInvoices(db, s.op()));
        s.message(`${issued.length} planned invoice(s) issued`);
        (await notIssuedLines(skipped)).forEach((line) => s.warn(line));
        return s.list(issued, LIST_COLUMNS, LIST_FIELDS);
      }
      const { checkDate } = await import('../lib/checks.js');
      const options = { on: checkDate('on', o.on), dueDays: o.dueDays };
      if (o.training !== undefined) {
        const { issueForTraining } = await import('../invoices/training.js');
        return changed(s, await s.tx((db) => issueForTraining(db, s.op(), o.training!, options)));
      }
      await changed(s, await s.tx((db) => service.issueForSubscription(db, s.op(), o.subscription!, options)));
    }),
  );

  example(
    invoices
      .command('list')
      .description('list invoices, oldest first, with the status on the --as-of date (overdue: issued, unpaid, past due)')
      .option('--account <external_id>', 'only this account')
      .option('--training <id>', 'only the invoices of this training (TRN-000001)')
      .option('--manager <login>', 'only accounts or subscriptions this manager looks after')
      .option('--status <status>', `only this status (${DISPLAYED_INVOICE_STATUSES.join('|')})`)
      .addOption(new Option('--from <date>', 'issued on or after').argParser(parseDateOption))
      .addOption(new Option('--to <date>', 'issued on or before').argParser(parseDateOption))
      .addOption(formatOption()),
    'acctmgr invoices list --status overdue --as-of 2026-11-25 --format csv',
  ).action(
    act(io, async (s) => {
      const { invoiceBatches } = await import('../invoices/service.js');
      const { checkDate } = await import('../lib/checks.js');
      const f = s.strings('account', 'training', 'manager', 'status', 'from', 'to');
      const batches = await invoiceBatches(await s.db(), s.op(), { ...f, from: checkDate('from', f.from), to: checkDate('to', f.to) });
      await s.listStream(batches, LIST_COLUMNS, LIST_FIELDS);
    }),
  );

  example(
    invoices
      .command('show <number>')
      .description('show an invoice (a planned one: SUBSCRIPTION#2, or SUBSCRIPTION when it has no instalment)'),
    'acctmgr invoices show INV-2026-00001 --json',
  ).action(
    act(io, async (s, key) => {
      const { showInvoice } = await import('../invoices/service.js');
      await s.show(await showInvoice(await s.db(), s.op(), key));
    }),
  );

  example(
    invoices
      .command('pay <number>')
      .description("mark an invoice paid; a subscription's first invoice also pays the subscription (activation code)")
      .addOption(new Option('--on <date>', 'date paid (default: today)').argParser(parseDateOption)),
    'acctmgr invoices pay INV-2026-00001 --on 2026-09-10',
  ).action(
    act(io, async (s, key) => {
      const { payInvoice } = await import('../composites/billing.js');
      const { checkDate } = await import('../lib/checks.js');
      const on = checkDate('on', s.opts.on);
      await changed(s, await s.tx((db) => payInvoice(db, s.op(), key, on)));
    }),
  );

  example(
    invoices
      .command('void <number>')
      .description('void an invoice (not a paid one); its number stays taken')
      .requiredOption('--reason <text>', 'why (kept with the invoice)'),
    'acctmgr invoices void INV-2026-00002 --reason "billed twice" --yes',
  ).action(
    act(io, async (s, key) => {
      const { voidInvoice } = await import('../invoices/service.js');
      await s.confirm(`Void invoice ${key}?`);
      await changed(s, await s.tx((db) => voidInvoice(db, s.op(), key, s.opts.reason as string)));
    }),
  );

  example(
    invoices
      .command('print <number>')
      .description('the invoice as a document for the customer: text, or with --html a self-contained printable page')
      .option('--html', 'one HTML page (inline style, nothing fetched), ready to print or save as PDF')
      .option('--out <file>', 'write it to FILE (written beside it, then moved in place) instead of standard output'),
    'acctmgr invoices print INV-2026-00001 --html --out INV-2026-00001.html',
  ).action(
    act(io, async (s, key) => {
      // a document, not a list: --json would be dropped in silence (`invoices show --json` is the record)
      if (s.format !== 'table')
        throw new UsageError(
          'invoices print writes a document (text, or --html): for the record as JSON use acctmgr invoices show NUMBER --json',
        );
      const out = s.opts.out as string | undefined;
      const { refuseDatabaseOutput, writeOutput } = await import('../lib/output-file.js');
      if (out !== undefined) refuseDatabaseOutput([out], s.target().target);
      const doc = await import('../invoices/document.js');
      const d = await doc.invoiceDocument(await s.db(), s.op(), key);
      const text = s.opts.html ? doc.invoiceHtml(d) : doc.invoiceText(d);
      if (out === undefined) return s.io.out(text);
      await writeOutput(out, async (write) => write(text));
      s.message(`wrote ${out}`);
    }),
  );
}
