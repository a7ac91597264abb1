import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { TERMS } from '../plans/fields.js';
import { SUBSCRIPTION_FIELDS } from '../subscriptions/fields.js';
import { DISPLAYED_STATUSES } from '../subscriptions/status.js';
import { addFieldOptions, addLoop, formatOption, parseDateOption, parseIntOption } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf, without } from '../output/fields.js';
import type { SubscriptionRecord } from '../subscriptions/records.js';

export const LIST_FIELDS = fieldsOf<SubscriptionRecord>()(
  [
    'external_id',
    'account_external_id',
    'product',
    'plan',
    'students',
    'term_months',
    'start_date',
    'end_date',
    'status',
    'base_status',
    'manager_login',
    'price',
    'currency',
    'paid_at',
    'renewed_from_external_id',
    // the activation code is in JSON only, never in CSV nor the table (docs/subscriptions.md): a secret
    // delivered by `remind`, which a CSV pasted into a spreadsheet would hand to anyone reading it
  ],
  'activation_code',
);
export const LIST_COLUMNS = without(LIST_FIELDS, 'start_date', 'base_status', 'paid_at', 'renewed_from_external_id');

/** The records less their activation code, for CSV and the table (which write any key a record has). */
async function* withoutCodes(batches: AsyncIterable<SubscriptionRecord[]>): AsyncIterable<Omit<SubscriptionRecord, 'activation_code'>[]> {
  for await (const batch of batches) yield batch.map(({ activation_code: _, ...rest }) => rest);
}

/** Prints the key, or with --json the subscription as `show` prints it (read after the commit). */
async function changed(s: Session, key: string, training?: { id: string; credits: number }): Promise<void> {
  if (training)
    s.message(
      `the plan includes a training: ${training.id} (requested, ${training.credits} credit${training.credits === 1 ? '' : 's'}); agree its topic and dates with: acctmgr trainings edit ${training.id}`,
    );
  if (!s.opts.json) return s.io.out(`${key}\n`);
  const { showSubscription } = await import('../subscriptions/show.js');
  await s.show(await showSubscription(await s.db(), s.asOf, key));
}

/** `--instalments 2`: the invoices of a 24-month term, one per year (issue 14). */
function instalmentsOption(): Option {
  return new Option('--instalments <n>', 'bill a 24-month term in 2 yearly invoices: the first issued now, the second planned').argParser(
    parseIntOption,
  );
}

const example = (cmd: Command, text: string) => cmd.addHelpText('after', `\nExample:\n  ${text}`);

export function registerSubscriptions(program: Command, io: Io): void {
  const subs = program
    .command('subscriptions')
    .description('subscriptions of accounts to products on plans: payment, renewal, upgrade, cancellation');

  example(
    addFieldOptions(subs.command('add').description('add a subscription (price and end date from the plan)'), SUBSCRIPTION_FIELDS),
    'acctmgr subscriptions add --account-external-id SCH-001 --plan BIO-BASIC --students 250 --term-months 24 --start-date 2026-09-01 --instalments 2',
  )
    .addOption(instalmentsOption())
    .action(
      act(io, async (s) => {
        const { subscribe } = await import('../composites/subscribe.js');
        const instalments = s.opts.instalments as number | undefined;
        await addLoop(s, SUBSCRIPTION_FIELDS, 'subscription', async (input) => {
          const r = await s.tx((db) => subscribe(db, s.op(), input, { instalments }));
          await changed(s, r.subscription.external_id, r.training);
        });
      }),
    );

  example(
    subs
      .command('list')
      .description('list subscriptions with their displayed status on the --as-of date (default today)')
      .option('--account <external_id>', 'only this account')
      .option('--manager <login>', 'only this manager')
      .option('--product <code>', 'only this product')
      .option('--plan <code>', 'only this plan')
      .option('--status <status>', `only this displayed status (${DISPLAYED_STATUSES.join('|')})`)
      .addOption(new Option('--ending-before <date>', 'end_date before this day').argParser(parseDateOption))
      .addOption(new Option('--ending-within <days>', 'as-of ≤ end_date ≤ as-of + DAYS').argParser(parseIntOption))
      .addOption(formatOption()),
    'acctmgr subscriptions list --manager akowalski --ending-within 42 --as-of 2026-11-25 --json',
  ).action(
    act(io, async (s) => {
      const { subscriptionBatches } = await import('../subscriptions/service.js');
      const { checkDate } = await import('../lib/checks.js');
      const o = s.opts as Record<string, string | number | undefined>;
      const batches = await subscriptionBatches(await s.db(), s.op(), {
        account: o.account as string | undefined,
        manager: o.manager as string | undefined,
        product: o.product as string | undefined,
        plan: o.plan as string | undefined,
        status: o.status as string | undefined,
        endingBefore: checkDate('ending_before', o.endingBefore),
        endingWithin: o.endingWithin as number | undefined,
      });
      await s.listStream(s.format === 'json' ? batches : withoutCodes(batches), LIST_COLUMNS, LIST_FIELDS);
    }),
  );

  example(
    subs.command('show <external_id>').description('show a subscription: renewal chain, price, status, manager, seats, history'),
    'acctmgr subscriptions show SUB-2026-001 --as-of 2027-01-10',
  ).action(
    act(io, async (s, key) => {
      const { showSubscription } = await import('../subscriptions/show.js');
      await s.show(await showSubscription(await s.db(), s.asOf, key));
    }),
  );

  example(
    subs
      .command('pay <external_id>')
      .description(
        'record the payment (and of its invoice, issued first when it has none) and generate the activation code (delivered by `acctmgr remind`)',
      )
      .addOption(new Option('--paid-at <date>', 'date paid (default: today)').argParser(parseDateOption)),
    'acctmgr subscriptions pay SUB-2026-001 --paid-at 2026-09-03',
  ).action(
    act(io, async (s, key) => {
      const { paySubscriptionBilled } = await import('../composites/billing.js');
      const { checkDate } = await import('../lib/checks.js');
      const r = await s.tx((db) => paySubscriptionBilled(db, s.op(), key, checkDate('paid_at', s.opts.paidAt)));
      s.message(`paid on ${r.paid_at}; activation code generated for ${r.manager_login ?? "the account's primary contact"}`);
      await changed(s, r.external_id);
    }),
  );

  example(
    subs
      .command('renew <external_id>')
      .description('create the successor (whoever renews becomes its manager); prints its external_id')
      .option('--by <login>', 'the manager who renews (default: the old manager)')
      .option('--plan <code>', 'plan of the successor (default: the same)')
      .addOption(
        new Option('--term <months>', `term of the successor, ${TERMS.join(' or ')} (default: the same)`).argParser(parseIntOption),
      )
      .addOption(new Option('--students <n>', 'students (default: the same)').argParser(parseIntOption))
      .addOption(new Option('--start <date>', 'first day, if later than the day after the old end_date').argParser(parseDateOption)),
    'acctmgr subscriptions renew SUB-2026-001 --by jnowak --students 300 --term 24',
  ).action(
    act(io, async (s, key) => {
      const { renewWithTraining } = await import('../composites/renew.js');
      const { checkDate } = await import('../lib/checks.js');
      const o = s.opts as Record<string, string | number | undefined>;
      const r = await s.tx((db) =>
        renewWithTraining(db, s.op(), key, {
          by: o.by as string | undefined,
          plan: o.plan as string | undefined,
          term: o.term as number | undefined,
          students: o.students as number | undefined,
          start: checkDate('start', o.start),
        }),
      );
      await changed(s, r.subscription.external_id, r.training);
    }),
  );

  example(
    subs
      .command('upgrade <external_id>')
      .description('quote (or with --apply make) an upgrade: the price difference for the remaining days')
      .requiredOption('--plan <code>', 'the new plan (same product)')
      .addOption(new Option('--students <n>', 'students (default: the same)').argParser(parseIntOption))
      .option('--apply', 'change the subscription now (without it: print the quote only)'),
    'acctmgr subscriptions upgrade SUB-2026-001 --plan BIO-MAXIMUM --as-of 2027-03-01 --apply',
  ).action(
    act(io, async (s, key) => {
      const input = { plan: s.opts.plan as string, students: s.opts.students as number | undefined };
      if (!s.opts.apply) {
        const { quoteUpgrade } = await import('../subscriptions/upgrade.js');
        return s.show(await quoteUpgrade(await s.db(), s.op(), key, input));
      }
      const { applyUpgrade } = await import('../subscriptions/upgrade.js');
      const { quote, record } = await s.tx((db) => applyUpgrade(db, s.op(), key, input));
      s.message(
        `upgraded to ${quote.new_plan}: charge ${quote.charge} ${quote.currency} for ${quote.remaining_days} of ${quote.term_days} days`,
      );
      await changed(s, record.external_id);
    }),
  );

  example(
    subs.command('cancel <external_id>').description('cancel: no renewal, no reminders; the history stays'),
    'acctmgr subscriptions cancel SUB-2026-001 --yes',
  ).action(
    act(io, async (s, key) => {
      const { cancelSubscription } = await import('../subscriptions/payment.js');
      await s.confirm(`Cancel subscription ${key}?`);
      const r = await s.tx((db) => cancelSubscription(db, s.op(), key));
      await changed(s, r.external_id);
    }),
  );
}
