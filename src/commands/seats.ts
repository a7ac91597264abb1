import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { SEAT_STATUSES } from '../seats/fields.js';
import { seatKey } from '../seats/records.js';
import { formatOption, parseDateOption } from './field-options.js';
import { act } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { SeatRecord } from '../seats/records.js';

export const LIST_COLUMNS = ['subscription_external_id', 'email', 'name', 'status', 'invited_at', 'last_login_at'];
export const LIST_FIELDS = fieldsOf<SeatRecord>()([
  'subscription_external_id',
  'email',
  'status',
  'invited_at',
  'last_login_at',
  'name',
  'account_external_id',
  'removed_at',
]);

/** Shape only (exit 2); the calendar and the time are checked by the service (exit 1). */
function parseTimestampOption(raw: string): string {
  if (!/^\d{4}-\d{2}-\d{2}([T ].+)?$/i.test(raw.trim())) {
    throw new InvalidArgumentError(`"${raw}" is not an ISO 8601 timestamp like 2026-03-01T08:30:00Z`);
  }
  return raw.trim();
}

const example = (cmd: Command, text: string) => cmd.addHelpText('after', `\nExample:\n  ${text}`);

export function registerSeats(program: Command, io: Io): void {
  const seats = program.command('seats').description("seats: teachers' user accounts on a subscription, and their logins");

  example(
    seats
      .command('add <email>')
      .description("invite a contact of the subscription's account (created as a teacher contact if new)")
      .requiredOption('--subscription <external_id>', 'the subscription')
      .option('--name <name>', 'name of the contact, when it is created')
      .addOption(new Option('--invited-at <date>', 'date invited (default: today)').argParser(parseDateOption)),
    'acctmgr seats add pawel.kaminski@sp12.example.pl --subscription SUB-2026-001 --name "Paweł Kamiński"',
  ).action(
    act(io, async (s, email) => {
      const { addSeat } = await import('../composites/seats.js');
      const o = s.opts as Record<string, string | undefined>;
      const r = await s.tx((db) =>
        addSeat(db, s.op(), { email: email, subscription: o.subscription!, name: o.name, invited_at: o.invitedAt }),
      );
      await s.changed(seatKey(r.subscription_external_id, r.email), r);
    }),
  );

  example(
    seats
      .command('list')
      .description('list seats (removed ones only with --status removed)')
      .option('--subscription <external_id>', 'only this subscription')
      .option('--account <external_id>', 'only this account')
      .addOption(
        new Option('--idle-since <date>', 'no login on or after this day (never logged in: from invited_at)').argParser(parseDateOption),
      )
      .option('--status <status>', `only this status (${SEAT_STATUSES.join('|')})`)
      .addOption(formatOption()),
    'acctmgr seats list --account SCH-001 --idle-since 2026-08-25 --json',
  ).action(
    act(io, async (s) => {
      const { seatBatches } = await import('../seats/service.js');
      const { checkDate } = await import('../lib/checks.js');
      const o = s.opts as Record<string, string | undefined>;
      const { status, batches } = await seatBatches(await s.db(), {
        subscription: o.subscription,
        account: o.account,
        idleSince: checkDate('idle_since', o.idleSince),
        status: o.status,
      });
      // removed seats (--status removed) show the day of their removal too
      await s.listStream(batches, status === 'removed' ? [...LIST_COLUMNS, 'removed_at'] : LIST_COLUMNS, LIST_FIELDS);
    }),
  );

  example(
    seats
      .command('remove <email>')
      .description("remove the seat's access (the seat and its logins stay as history)")
      .requiredOption('--subscription <external_id>', 'the subscription'),
    'acctmgr seats remove pawel.kaminski@sp12.example.pl --subscription SUB-2026-001 --yes',
  ).action(
    act(io, async (s, email) => {
      const { removeSeat } = await import('../seats/service.js');
      await s.confirm(`Remove the seat of ${email} on ${String(s.opts.subscription)}?`);
      const r = await s.tx((db) => removeSeat(db, s.op(), email, s.opts.subscription as string));
      await s.changed(seatKey(r.subscription_external_id, r.email), r);
    }),
  );

  example(
    seats
      .command('login <email>')
      .description('record a login: a usage event; the seat becomes active and last_login_at moves forward')
      .requiredOption('--subscription <external_id>', 'the subscription')
      .addOption(new Option('--at <timestamp>', 'login time, ISO 8601 (default: now)').argParser(parseTimestampOption)),
    'acctmgr seats login pawel.kaminski@sp12.example.pl --subscription SUB-2026-001 --at 2026-11-20T08:15:00+02:00',
  ).action(
    act(io, async (s, email) => {
      const { recordLogin } = await import('../composites/seats.js');
      const r = await s.tx((db) => recordLogin(db, s.op(), email, s.opts.subscription as string, s.opts.at as string | undefined));
      await s.changed(seatKey(r.subscription_external_id, r.email), r);
    }),
  );
}
