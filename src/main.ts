/**
 * The one exit: run the program, map every error to its exit code. No command calls process.exit.
 */
import { CommanderError, type Command } from 'commander';
import { buildProgram, VALUE_OPTIONS } from './cli.js';
import { AppError, EXIT } from './errors.js';
import { processIo, type Io } from './io.js';
import { isPromptCancel } from './commands/prompts.js';

/**
 * `acctmgr help exit-codes`: docs/basics.md's table, the same words (a test compares them), wrapped to 80
 * columns under a four-column code.
 */
export const EXIT_CODE_MEANINGS: readonly (readonly [code: number, meaning: string])[] = [
  [0, 'success (an empty list is a success)'],
  [
    1,
    'the operation failed: not found, conflict, invalid data (bad enum value or list filter, range, email, impossible calendar date or one outside 1900-01-01…9999-12-31, unknown reference, missing required custom field), a rule refused it, a database migrated by a newer acctmgr, a notice that could not be delivered',
  ],
  [
    2,
    'usage error: unknown command or option, a missing required flag, a value that does not parse as its type (a date not YYYY-MM-DD, a non-integer), a destructive command without --yes when stdin is not a terminal, --json with --format csv|table',
  ],
  [130, 'cancelled at a prompt (Ctrl-C)'],
];

export function exitCodesHelp(width = 80): string {
  const lines = ['Exit codes:'];
  for (const [code, meaning] of EXIT_CODE_MEANINGS) {
    let line = `  ${String(code).padEnd(5)}`;
    for (const word of meaning.split(' ')) {
      if (line.length + 1 + word.length > width && line.trim() !== String(code)) {
        lines.push(line);
        line = `       ${word}`;
      } else line += line.endsWith(' ') ? word : ` ${word}`;
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  if (argv[0] === 'help' && argv[1] === 'exit-codes') {
    io.out(exitCodesHelp());
    return EXIT.ok;
  }
  // `acctmgr help accounts list` is `acctmgr accounts list --help`
  const args = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv;
  try {
    const program = await buildProgram(io, args);
    // `acctmgr help accounts lst` is `acctmgr accounts lst`: the unknown-command error with its suggestion
    // (exit 2), not the help of `accounts` and exit 0, which is what commander does with --help; so is
    // `acctmgr accounts lst --help`
    const unknown = args.includes('--help') || args.includes('-h') ? unknownCommandPath(program, args) : undefined;
    await program.parseAsync(unknown ?? args, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 || OK_CODES.has(e.code) ? EXIT.ok : EXIT.usage;
    // loaded only for other errors (with the key columns it names): help and usage errors stay small
    const { translateConstraint } = await import('./db/constraint-errors.js');
    return report(translateConstraint(e), io, debug);
  }
}

/**
 * The words up to the first that names no subcommand of a command that has some (`accounts lst`), or
 * undefined when every word names a command down to one without subcommands (whose arguments the rest
 * are). Parsed as they are, those words give commander's unknown-command error: the groups have no
 * action of their own, so nothing runs.
 */
function unknownCommandPath(program: Command, words: readonly string[]): string[] | undefined {
  let cmd = program;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('-')) {
      if (VALUE_OPTIONS.has(word)) i++;
      continue;
    }
    if (cmd.commands.length === 0) return undefined;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) return words.slice(0, i + 1);
    cmd = sub;
  }
  return undefined;
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
