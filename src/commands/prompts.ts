/**
 * The only place that talks to @inquirer/prompts (loaded lazily: it costs ~270 ms to import).
 * Callers check `session.interactive` first; nothing here is ever reached when stdin is not a terminal.
 */
export async function askConfirm(message: string, dflt: boolean): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: dflt });
}

export async function askInput(message: string, validate?: (v: string) => true | string): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input({ message, validate: validate ?? (() => true) });
}

export async function askSelect(message: string, choices: readonly string[]): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  return select({ message, choices: choices.map((c) => ({ value: c, name: c })) });
}

export async function askPassword(message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  return password({ message, mask: '*' });
}

/** Prompt errors from Ctrl-C or a closed terminal: a clean cancel, not a stack trace. */
export function isPromptCancel(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError';
}
