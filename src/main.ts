/**
 * The one exit: run the program, map every error to its exit code. No command calls process.exit.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './cli.js';
import { AppError, EXIT } from './errors.js';
import { processIo, type Io } from './io.js';
import { isPromptCancel } from './commands/prompts.js';

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
  // `acctmgr help accounts list` is `acctmgr accounts list --help`
  const args = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv;
  try {
    const program = await buildProgram(io, args);
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || OK_CODES.has(e.code) ? EXIT.ok : EXIT.usage;
    // loaded only for other errors (with the key columns it names): help and usage errors stay small
    const { translateConstraint } = await import('./db/constraint-errors.js');
    return report(translateConstraint(e), io, debug);
  }
}

/** help and version exit 0 (commander has printed its own message, as for every usage error) */
const OK_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

function report(e: unknown, io: Io, debug: boolean): number {
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
