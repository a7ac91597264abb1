import type { Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';
import { formatOption } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { NoticeRecord } from '../remind/notice-record.js';

const FIELDS = fieldsOf<NoticeRecord>()([
  'kind',
  'stage',
  'due_date',
  'recipient_login',
  'recipient_email',
  'account_external_id',
  'subscription_external_id',
  'contact_email',
  'account_name',
  'product',
  'plan',
  'end_date',
  'contact_name',
  'idle_since',
  'activation_code',
  'invoice_number',
  'status',
  'reason',
]);
/** the table: who, what and when (the rest with --json or --format csv) */
const COLUMNS = FIELDS.slice(0, FIELDS.indexOf('contact_email') + 1);
const STAGE_COLUMNS = ['kind', 'stage', 'cycle', 'due_date', 'sendable_until', 'state', 'at', 'reason'];

export function registerRemind(program: Command, io: Io): void {
  program
    .command('remind')
    .description('renewal, dormancy and activation notices due on the as-of date: preview (default), --send or --mark-sent')
    .option('--send', 'email the due notices, one digest per recipient (SMTP from ACCTMGR_SMTP_URL/ACCTMGR_MAIL_FROM or the config file)')
    .option('--mark-sent', 'print the due notices and record them as delivered (another program delivers them)')
    .option('--retry-in-doubt', 'also deliver notices an earlier run left in doubt')
    .option('--explain <sub>', 'the whole schedule of one subscription: each stage, its due date and state')
    .option('--explain-seat <email>', 'the dormancy schedule of one seat (with --subscription)')
    .option('--subscription <sub>', 'the subscription of --explain-seat')
    .option('--templates <dir>', 'message templates DIR/{kind}.{locale}.txt overriding the defaults')
    .option('--preview-email', 'print the messages --send would deliver today (From, To, Cc, Subject, body), sending and recording nothing')
    .option('--recipient <email>', 'with --preview-email: only the messages to (or copied to) this address')
    .option('--quiet', 'print only errors (for cron)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr remind --as-of 2026-12-01\n  acctmgr remind --send --quiet            # crontab: 0 7 * * *\n  acctmgr remind --explain SUB-2026-001\n  acctmgr remind --explain-seat t@school.example --subscription SUB-2026-001',
    )
    .action(act(io, remindAction));
}

export async function remindAction(s: Session): Promise<void> {
  const o = s.opts;
  if (o.send && o.markSent) throw new UsageError('--send and --mark-sent exclude each other');
  if (o.explainSeat !== undefined && o.subscription === undefined) throw new UsageError('--explain-seat needs --subscription SUB');
  if (o.subscription !== undefined && o.explainSeat === undefined)
    throw new UsageError('--subscription goes with --explain-seat EMAIL (remind --send and --mark-sent act on every due notice)');
  if (o.explain !== undefined || o.explainSeat !== undefined) {
    // an explanation sends and records nothing: a --send beside it would be dropped in silence (cron: exit 0)
    const which = o.explain !== undefined ? '--explain' : '--explain-seat';
    if (o.explain !== undefined && o.explainSeat !== undefined) throw new UsageError('--explain and --explain-seat exclude each other');
    const other = (['send', 'markSent', 'retryInDoubt', 'previewEmail', 'recipient', 'templates'] as const).find((k) => o[k] !== undefined);
    if (other) throw new UsageError(`${which} shows one schedule and sends or records nothing: give it without --${kebab(other)}`);
    return explain(s);
  }
  if (o.previewEmail) return previewEmail(s);
  if (o.recipient !== undefined) throw new UsageError('--recipient goes with --preview-email');
  const mode = o.send ? 'send' : o.markSent ? 'mark-sent' : 'preview';
  let mail;
  if (mode === 'send') {
    const { readMailConfig } = await import('../remind/mailer.js');
    const cfg = readMailConfig(s.io.env);
    if (!cfg.config)
      throw new UsageError(
        `--send needs SMTP configuration: ${cfg.missing.join(', ')} missing`,
        `set them in the environment or in ${cfg.file}`,
      );
    if (!o.quiet) cfg.warnings.forEach((w) => s.warn(w));
    mail = cfg.config;
  }
  // over a large SQLite file, the thread that scans the dormant seats starts while the rest loads
  const { makeDormantThreadAhead } = await import('../remind/dormant-ahead.js');
  makeDormantThreadAhead(s.target().target);
  if (mode === 'send') await issueDueInvoices(s);
  else if (mode === 'preview') await noteDueInvoices(s);
  const { remindSettings } = await import('../remind/settings.js');
  const settings = remindSettings(s.io.env);
  const { liveness: livenessOf } = await import('../db/liveness.js');
  const report = await import('../remind/report.js');
  const handle = await s.open();
  const liveness = livenessOf(handle);
  const options = {
    retryInDoubt: Boolean(o.retryInDoubt),
    templatesDir: (o.templates as string | undefined) ?? settings.templatesDir,
    localeFallback: settings.localeFallback,
    liveness,
    handle,
  };
  // the records are made and written as the sorted notices come (160,000 of them in flat memory)
  const { runRemindStreamed } = await import('../remind/run.js');
  const run = await runRemindStreamed(await s.db(), s.op(), { ...options, mode, mail, tx: (fn) => s.tx(fn) }).finally(() =>
    liveness.release(),
  );
  if (!o.quiet) await s.listStream([run.records()], mode === 'preview' ? COLUMNS : [...COLUMNS, 'status'], FIELDS);
  const result = run.result;
  if (result.template_note !== null && !o.quiet) s.warn(result.template_note);
  for (const line of report.errorLines(result)) s.io.err(`${line}\n`);
  if (!o.quiet) [...report.noteLines(result), report.summaryLine(result, s.asOf)].forEach((line) => s.message(line));
  const problems = report.problemCount(result);
  if (problems > 0) {
    const { DeliveryError } = await import('../errors.js');
    throw new DeliveryError(
      `${problems} notice(s) need attention (see the error lines above)`,
      'acctmgr notices list --status failed (or --status in_doubt)',
    );
  }
}

/** `remind --send` issues the planned invoices whose day has come first (as `invoices issue --due`), so cron does it. */
async function issueDueInvoices(s: Session): Promise<void> {
  const { issueDueInvoices: issue } = await import('../invoices/service.js');
  await s.open(); // remind never creates a database (cron safety): a missing one is refused before the write
  const { issued, skipped } = await s.tx((db) => issue(db, s.op()));
  if (s.opts.quiet) return;
  if (issued.length > 0) s.message(`issued ${issued.length} planned invoice(s): ${issued.map((i) => i.number).join(', ')}`);
  const { notIssuedLines } = await import('./invoices.js');
  (await notIssuedLines(skipped)).forEach((line) => s.warn(line));
}

/**
 * A preview shows the notices of invoices issued already: the planned invoices `--send` issues first get their
 * numbers, and so their invoice-issued notices, only then. Said on stderr, so that the preview does not pass
 * for all that `--send` delivers.
 */
async function noteDueInvoices(s: Session): Promise<void> {
  if (s.opts.quiet) return;
  const { countDueInvoices } = await import('../invoices/service.js');
  const n = await countDueInvoices(await s.db(), s.asOf);
  if (n > 0)
    s.message(
      `note: --send first issues ${n} planned invoice(s) due by ${s.asOf} and sends their invoice-issued notices, not shown here (acctmgr invoices issue --due issues them now)`,
    );
}

async function previewEmail(s: Session): Promise<void> {
  const o = s.opts;
  if (o.send || o.markSent) throw new UsageError('--preview-email sends and records nothing: give it without --send or --mark-sent');
  const { remindSettings } = await import('../remind/settings.js');
  const { readMailConfig } = await import('../remind/mailer.js');
  const { previewEmails } = await import('../remind/run.js');
  const settings = remindSettings(s.io.env);
  const from = readMailConfig(s.io.env).from ?? '(ACCTMGR_MAIL_FROM not set)';
  const { messages, template_note: note } = await previewEmails(await s.db(), s.op(), {
    templatesDir: (o.templates as string | undefined) ?? settings.templatesDir,
    localeFallback: settings.localeFallback,
    recipient: o.recipient as string | undefined,
  });
  if (note !== null) s.warn(note);
  await noteDueInvoices(s);
  const address = (r: { name: string; email: string }) => `${r.name} <${r.email}>`;
  if (s.format !== 'table') {
    const records = messages.map((m) => ({ from, to: address(m.to), cc: m.cc ? address(m.cc) : null, subject: m.subject, text: m.text }));
    return s.list(records);
  }
  const shown = messages.map((m) =>
    [
      `From: ${from}`,
      `To: ${address(m.to)}`,
      ...(m.cc ? [`Cc: ${address(m.cc)}`] : []),
      `Subject: ${m.subject}`,
      '',
      m.text.trimEnd(),
    ].join('\n'),
  );
  s.io.out(shown.map((m) => `${m}\n`).join('\n'));
  if (!o.quiet) s.message(`${messages.length} message(s) would be sent on ${s.asOf} (preview: nothing sent or recorded)`);
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

async function explain(s: Session): Promise<void> {
  const svc = await import('../remind/explain.js');
  const db = await s.db();
  const x =
    s.opts.explain !== undefined
      ? await svc.explainSubscription(db, s.op(), s.opts.explain as string)
      : await svc.explainSeat(db, s.op(), s.opts.explainSeat as string, s.opts.subscription as string);
  if (s.format === 'json') return s.show(x);
  const seat = x.contact_email ? `, teacher ${x.contact_email}` : '';
  const to = x.recipient_email ? `${x.recipient_login || '(contact)'} <${x.recipient_email}>` : 'nobody';
  // the two lines head the table on a terminal; CSV and piped lines keep stdout to the stages alone
  // (--quiet: on stderr they are messages, and it prints only errors)
  const say = (line: string) =>
    s.format === 'table' && s.io.stdoutIsTTY ? s.io.out(`${line}\n`) : s.opts.quiet ? undefined : s.message(line);
  say(`subscription ${x.subscription_external_id} (account ${x.account_external_id}${seat}), ${x.displayed_status} on ${s.asOf}`);
  say(`recipient: ${to}${x.not_eligible ? `; not sent: ${x.not_eligible}` : ''}`);
  await s.list(x.stages, STAGE_COLUMNS);
}
