import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';
import { PLAN_FIELDS, TERMS } from '../plans/fields.js';
import { addFieldOptions, addLoop, formatOption, parseIntOption, readFieldInput } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { PlanRecord } from '../plans/records.js';

const LIST_COLUMNS = ['code', 'name', 'product', 'currency', 'modules', 'legacy'];
const LIST_FIELDS = fieldsOf<PlanRecord>()([
  'code',
  'name',
  'product',
  'currency',
  'modules',
  'legacy',
  'sessions_per_week',
  'sessions_per_month',
  'trainings_per_year',
  'included_training_credits',
]);
const EDITABLE = PLAN_FIELDS.filter((f) =>
  ['name', 'modules', 'sessions_per_week', 'sessions_per_month', 'trainings_per_year', 'included_training_credits'].includes(f.name),
);
const TERM_HELP = `term in months (${TERMS.join('|')})`;

export function registerPlans(program: Command, io: Io): void {
  const plans = program.command('plans').description("products' plans, their modules and price tables");

  addFieldOptions(plans.command('add').description('add a plan to a product'), PLAN_FIELDS)
    .addHelpText(
      'after',
      '\nExample:\n  acctmgr plans add --product EDIARY --code EDIARY-BASIC --name Basic --currency EUR --modules "grades;attendance"',
    )
    .action(
      act(io, async (s) => {
        const { addPlan } = await import('../plans/service.js');
        await addLoop(s, PLAN_FIELDS, 'plan', async (input) => {
          const record = await s.tx((db) => addPlan(db, s.op(), input));
          await s.changed(record.code, record);
        });
      }),
    );

  plans
    .command('list')
    .description('list plans')
    .option('--product <code>', 'only plans of this product')
    .option('--legacy', 'only retired (legacy) plans')
    .option('--current', 'only current plans')
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr plans list --product EDIARY --current --json')
    .action(
      act(io, async (s) => {
        const { listPlans } = await import('../plans/service.js');
        if (s.opts.legacy && s.opts.current) throw new UsageError('--legacy and --current exclude each other');
        const legacy = s.opts.legacy ? true : s.opts.current ? false : undefined;
        await s.list(await listPlans(await s.db(), { product: s.opts.product as string | undefined, legacy }), LIST_COLUMNS, LIST_FIELDS);
      }),
    );

  plans
    .command('show <code>')
    .description('show a plan with its modules and price table')
    .addHelpText('after', '\nExample:\n  acctmgr plans show EDIARY-BASIC --json')
    .action(
      act(io, async (s, code) => {
        const { showPlan } = await import('../plans/service.js');
        const details = await showPlan(await s.db(), code);
        if (s.format === 'json') return s.show(details);
        const { prices, ...plan } = details;
        await s.show(plan);
        const rows = prices.map((p) => ({ term_months: p.term_months, max_students: p.max_students ?? 'any', amount: p.amount }));
        await s.list(rows, ['term_months', 'max_students', 'amount']);
      }),
    );

  addFieldOptions(
    plans.command('edit <code>').description("change a plan's name, modules, fair-use limits or included training credits"),
    EDITABLE,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr plans edit EDIARY-BASIC --modules "grades;attendance;messages"\n  acctmgr plans edit EDIARY-MAXIMUM --sessions-per-week 3 --sessions-per-month unlimited\n  acctmgr plans edit EDIARY-MAXIMUM --included-training-credits 1',
    )
    .action(
      act(io, async (s, code) => {
        const { editPlan } = await import('../plans/service.js');
        const input = readFieldInput(s.opts, EDITABLE);
        if (Object.keys(input).length === 0)
          throw new UsageError('nothing to change: give --name, --modules, a limit (--sessions-per-week …) or --included-training-credits');
        const record = await s.tx((db) => editPlan(db, s.op(), code, input));
        await s.changed(record.code, record);
      }),
    );

  registerPrice(plans, io);

  plans
    .command('retire <code>')
    .description('retire a plan: running subscriptions keep it, new ones, renewals and upgrades onto it are refused')
    .addHelpText('after', '\nExample:\n  acctmgr plans retire EDIARY-START --yes')
    .action(
      act(io, async (s, code) => {
        const { retirePlan } = await import('../plans/service.js');
        await s.confirm(`Retire plan ${code}?`);
        const { plan, changed } = await s.tx((db) => retirePlan(db, s.op(), code));
        s.message(changed ? `retired plan ${plan.code}` : `plan ${plan.code} was already retired`);
        await s.changed(plan.code, plan);
      }),
    );

  plans
    .command('quote <code>')
    .description('the price table amount for a number of students and a term')
    .addOption(new Option('--students <n>', 'number of students').argParser(parseIntOption).makeOptionMandatory())
    .addOption(new Option('--term <months>', TERM_HELP).argParser(parseIntOption).makeOptionMandatory())
    .addHelpText('after', '\nExample:\n  acctmgr plans quote EDIARY-BASIC --students 101 --term 12')
    .action(
      act(io, async (s, code) => {
        const { quotePrice } = await import('../plans/prices.js');
        const q = await quotePrice(await s.db(), code, s.opts.students as number, s.opts.term as number);
        if (q.legacy) s.warn(`plan ${q.plan} is retired: it takes no new subscriptions, renewals or upgrades`);
        if (s.opts.json) await s.show(q);
        else s.io.out(`${q.amount} ${q.currency}\n`);
      }),
    );
}

function registerPrice(plans: Command, io: Io): void {
  plans
    .command('price <code>')
    .description("add or change a row of a plan's price table (without --max-students: the any-number row)")
    .addOption(new Option('--max-students <n>', 'largest number of students the row covers (omit: any number)').argParser(parseIntOption))
    .addOption(new Option('--term <months>', TERM_HELP).argParser(parseIntOption))
    .addOption(new Option('--term-months <months>', TERM_HELP).argParser(parseIntOption).hideHelp())
    .option('--amount <amount>', 'price for the term, e.g. 450.00')
    .option('--remove', 'remove the row instead (destructive: confirm or --yes)')
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr plans price EDIARY-BASIC --max-students 100 --term 12 --amount 450.00\n' +
        '  acctmgr plans price TUTOR --term 12 --amount 60.00\n' +
        '  acctmgr plans price EDIARY-BASIC --max-students 100 --term 24 --remove --yes',
    )
    .action(act(io, (s, code) => priceAction(s, code)));
}

async function priceAction(s: Session, code: string): Promise<void> {
  const term = s.opts.term ?? s.opts.termMonths;
  if (term === undefined) throw new UsageError('missing required option: --term');
  const row = { plan: code, max_students: s.opts.maxStudents, term_months: term };
  const prices = await import('../plans/prices.js');
  if (s.opts.remove) {
    if (s.opts.amount !== undefined) throw new UsageError('--remove takes no --amount');
    await s.confirm(
      `Remove the ${String(term)}-month price row of plan ${code} for ${String(s.opts.maxStudents ?? 'any number of')} students?`,
    );
    const removed = await s.tx((db) => prices.removePrice(db, s.op(), row));
    s.message(`removed: ${describe(removed)}`);
    return s.changed(removed.plan, removed);
  }
  if (s.opts.amount === undefined) throw new UsageError('missing required option: --amount');
  const change = await s.tx((db) => prices.setPrice(db, s.op(), { ...row, amount: s.opts.amount }));
  const was = change.before ? ` (was ${change.before.amount})` : ' (new row)';
  s.message(change.changed ? `${describe(change.after)}${was}` : `${describe(change.after)} (unchanged)`);
  await s.changed(change.after.plan, change.after);
}

function describe(p: { plan: string; max_students: number | null; term_months: number; amount: string }): string {
  const who = p.max_students === null ? 'any number of students' : `up to ${p.max_students} students`;
  return `${p.plan}, ${p.term_months} months, ${who}: ${p.amount}`;
}
