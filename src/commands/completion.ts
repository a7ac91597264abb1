/**
 * Shell completion. `acctmgr completion bash|zsh|fish` prints a script; the script asks the program
 * itself what fits (`acctmgr __complete WORD…`, the words typed so far, the last one partial), so every
 * shell completes the same: commands, subcommands, options, enum values, and — where cheap — keys from the
 * database (manager logins, account external ids, within a short time limit). Completion never prints an
 * error into the shell: `__complete` prints candidates or nothing.
 */
import fs from 'node:fs';
import type { Command, Option } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../errors.js';
import { foldKey } from '../lib/keys.js';
import { startsWithFolded } from '../db/text.js';
import { ENTITIES } from '../formats/catalog.js';
import { act, type Session } from './session.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
/** How long completion may wait for the database. */
const DB_TIME_LIMIT_MS = 700;

export function registerCompletion(program: Command, io: Io): void {
  program
    .command('completion <shell>')
    .description(`print the shell completion script (${SHELLS.join('|')})`)
    .addHelpText(
      'after',
      "\nInstall:\n  bash: echo 'source <(acctmgr completion bash)' >> ~/.bashrc\n  zsh:  echo 'source <(acctmgr completion zsh)' >> ~/.zshrc\n  fish: acctmgr completion fish > ~/.config/fish/completions/acctmgr.fish",
    )
    .action(
      act(io, async (s, shell) => {
        if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell "${shell}": one of ${SHELLS.join(', ')}`);
        s.io.out(SCRIPTS[shell as (typeof SHELLS)[number]]);
      }),
    );
  program
    .command('__complete', { hidden: true })
    .argument('[words...]', 'the words typed so far, after --')
    .helpOption(false)
    .action(
      act(io, async (s, ...args) => {
        const { words, split } = joinEquals((args[0] as unknown as string[] | undefined) ?? []);
        // a --db among the words (`--db FILE` or `--db=FILE`) names the database to read keys from
        const typed = words.slice(0, -1);
        const db = typed.indexOf('--db');
        if (db >= 0 && typed[db + 1] !== undefined) s.opts.db = typed[db + 1];
        const joined = typed.find((w) => w.startsWith('--db='));
        if (joined !== undefined) s.opts.db = joined.slice('--db='.length);
        try {
          const found = await candidates(program, words, s, split);
          if (found.length > 0) s.io.out(`${found.join('\n')}\n`);
        } catch {
          // completion prints candidates or nothing, never an error into the shell
        }
      }),
    );
}

/**
 * bash splits `--type=sch` at the `=` (it is in COMP_WORDBREAKS): `--type`, `=`, `sch`. The words joined
 * again, and whether the last one was split so (then bash replaces only the part after the `=`).
 */
export function joinEquals(raw: readonly string[]): { words: string[]; split: boolean } {
  const words: string[] = [];
  let split = false;
  for (let i = 0; i < raw.length; i++) {
    const w = raw[i]!;
    const prev = words[words.length - 1];
    if (w === '=' && prev !== undefined && /^--[\w-]+$/.test(prev)) {
      words[words.length - 1] = `${prev}=${raw[i + 1] ?? ''}`;
      split = i + 1 >= raw.length - 1;
      i++;
    } else {
      words.push(w);
      split = false;
    }
  }
  return { words, split };
}

/** Values of positional arguments that are not keys: `completion <shell>`, `export <entity>`. */
const ARGUMENT_VALUES: Record<string, () => readonly string[]> = {
  'completion shell': () => SHELLS,
  'export entity': () => ENTITIES,
};

/**
 * What may follow `words` (the last one is the partial word being completed). A last word `--opt=val`
 * completes the value: offered whole (`--opt=value`), or only the value when bash split the word at `=`
 * (`split`).
 */
export async function candidates(program: Command, words: readonly string[], s?: Session, split = false): Promise<string[]> {
  const last = words.length > 0 ? words[words.length - 1]! : '';
  const eq = /^(--[\w-]+)=/.exec(last);
  const partial = eq ? last.slice(eq[0].length) : last;
  let cmd = program;
  let expectValue: Option | undefined;
  let positionals = 0;
  for (const w of words.slice(0, -1)) {
    if (expectValue) {
      expectValue = undefined;
      continue;
    }
    if (w.startsWith('-')) {
      const opt = findOption(cmd, w);
      if (opt && (opt.required || opt.optional) && !w.includes('=')) expectValue = opt;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && positionals === 0) cmd = sub;
    else positionals++;
  }
  // commands, options and enum values match as typed; keys by their fold, as every key compares
  // (`managers show M` offers m1, `accounts show и` offers Иван)
  const starting = (list: readonly string[], fold = (t: string) => t) => {
    const prefix = fold(partial);
    return [...new Set(list.filter((c) => fold(c).startsWith(prefix)))];
  };
  if (eq) {
    const opt = findOption(cmd, eq[1]!);
    if (!opt || !(opt.required || opt.optional)) return [];
    expectValue = opt;
  }
  if (expectValue) {
    const { values, keys } = await valuesOf(expectValue, partial, s);
    const found = keys ? starting(values, foldKey) : starting(values);
    return eq && !split ? found.map((v) => `${eq[0]}${v}`) : found;
  }
  if (partial.startsWith('-')) return starting([...optionsOf(cmd).map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean));
  const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name());
  if (subs.length > 0) return starting(subs);
  const arg = cmd.registeredArguments[positionals]?.name() ?? '';
  const listed = ARGUMENT_VALUES[`${cmd.name()} ${arg}`];
  if (listed) return starting(listed());
  return starting(await keysFor(arg, partial, s), foldKey);
}

/** The command's options and its ancestors' (global options count everywhere). */
function optionsOf(cmd: Command): readonly Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options);
  return out;
}

function findOption(cmd: Command, word: string): Option | undefined {
  const name = word.split('=')[0];
  return optionsOf(cmd).find((o) => o.long === name || o.short === name);
}

/** An option's values: its choices, the `(a|b|c)` its help lists, or keys from the database. */
async function valuesOf(opt: Option, partial: string, s?: Session): Promise<{ values: string[]; keys: boolean }> {
  if (opt.argChoices) return { values: opt.argChoices, keys: false };
  const listed = /\(([\w-]+(?:\|[\w-]+)+)\)/.exec(opt.description)?.[1];
  if (listed) return { values: listed.split('|'), keys: false };
  return { values: await keysFor(opt.long ?? '', partial, s), keys: true };
}

/**
 * Keys from the database for an option or argument naming an account or a manager, the first thousand
 * whose fold starts with the fold of what is typed (narrowed in SQL: not the first thousand of all, then
 * filtered); nothing if slow.
 */
async function keysFor(name: string, partial: string, s?: Session): Promise<string[]> {
  const prefix = foldKey(partial);
  const kind = /account|parent|external_id|external-id/.test(name)
    ? 'accounts'
    : /manager|login|by|backup|reassign/.test(name)
      ? 'managers'
      : undefined;
  if (!kind || !s) return [];
  // completion never creates a database
  const { target } = s.target();
  if (target.kind === 'sqlite' && !fs.existsSync(target.path)) return [];
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), DB_TIME_LIMIT_MS)));
  const read = (async () => {
    const db = await s.db();
    const rows =
      kind === 'accounts'
        ? await db
            .selectFrom('accounts')
            .select('external_id as k')
            .where(startsWithFolded('external_id_key', prefix))
            .orderBy('external_id')
            .limit(1000)
            .execute()
        : await db
            .selectFrom('managers')
            .select('login as k')
            .where(startsWithFolded('login', prefix))
            .orderBy('login')
            .limit(1000)
            .execute();
    return rows.map((r) => r.k);
  })();
  try {
    return await Promise.race([read, slow]);
  } finally {
    clearTimeout(timer);
  }
}

const BASH = `# acctmgr completion for bash: source <(acctmgr completion bash)
_acctmgr_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(acctmgr __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _acctmgr_complete acctmgr
`;

const ZSH = `#compdef acctmgr
# acctmgr completion for zsh: source <(acctmgr completion zsh)
_acctmgr() {
  local -a candidates
  candidates=("\${(@f)$(acctmgr __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -U -a candidates
}
compdef _acctmgr acctmgr
`;

const FISH = `# acctmgr completion for fish: acctmgr completion fish > ~/.config/fish/completions/acctmgr.fish
function __acctmgr_complete
  set -l words (commandline -opc) (commandline -ct)
  acctmgr __complete -- $words[2..-1] 2>/dev/null
end
complete -c acctmgr -f -a '(__acctmgr_complete)'
`;

const SCRIPTS = { bash: BASH, zsh: ZSH, fish: FISH };
