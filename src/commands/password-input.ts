import { Option } from 'commander';
import { RefusedError, UsageError } from '../errors.js';
import { askPassword } from './prompts.js';
import type { Session } from './session.js';

/** A `--password VALUE` flag would leave the secret in shell history and `ps`: refuse it by name. */
export function refusePasswordArgument(): Option {
  return new Option('--password <value>').hideHelp().argParser(() => {
    throw new UsageError('a password is never accepted on the command line: use the prompt or --password-stdin');
  });
}

/** From stdin (first line) when asked, else a masked prompt entered twice; never waits without a terminal. */
export async function readPassword(s: Session, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of s.io.stdin ?? []) chunks.push(Buffer.from(chunk));
    const first = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (first === '') throw new UsageError('--password-stdin: stdin was empty');
    return first;
  }
  if (!s.interactive) throw new UsageError('no password given: use --password-stdin when stdin is not a terminal');
  const first = await askPassword('Password');
  const second = await askPassword('Repeat password');
  if (first !== second) throw new RefusedError('the two passwords differ; nothing was changed');
  return first;
}
