/**
 * The one exit: run the program, map every error to its exit code. No command calls process.exit.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './cli.js';
import { AppError, EXIT } from './errors.js';
import { processIo, type Io } from './io.js';
import { isPromptCancel } from './commands/prompts.js';
import { translateConstraint } from './db/constraint-errors.js';

export const EXIT_CODES_HELP = `Exit codes:
  0    success (an empty list is a success)
  1    the operation failed: not found, conflict, invalid data, a rule refused it,
       a notice that could not be delivered
  2    usage error: unknown command or option, missing required flag, a value that
       does not parse as its type (a date not YYYY-MM-DD, a non-integer), a
       destructive command without --yes when stdin is not a terminal
  130  cancelled at a prompt (Ctrl-C)
`;

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  if (argv[0] === 'help' && argv[1] === 'exit-codes') {
    io.out(EXIT_CODES_HELP);
    return EXIT.ok;
  }
  const program = buildProgram(io);
  // `acctmgr help accounts list` is `acctmgr accounts list --help`
  const args = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv;
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    return report(e, io, debug);
  }
}

function report(raw: unknown, io: Io, debug: boolean): number {
  const e = translateConstraint(raw);
  if (e instanceof CommanderError) {
    // help and version exit 0; commander has already printed its own message
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  if (isPromptCancel(e)) {
    io.err('cancelled\n');
    return 130;
  }
  if (e instanceof AppError) {
    io.err(`error: ${e.message}\n`);
    if (e.hint) io.err(`hint: ${e.hint}\n`);
    if (debug && e.stack) io.err(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e as Error & { code?: unknown };
  io.err(`error: ${err?.message ?? String(e)}\n`);
  if (debug) io.err(`${err?.stack ?? ''}\n`);
  // system and SQLite errors (a file not found, a locked or corrupt database) carry a code: not a bug
  else if (typeof err?.code !== 'string') io.err('this looks like a bug in acctmgr; run again with --debug for the details\n');
  return EXIT.failed;
}
