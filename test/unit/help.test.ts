import { Help, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { buildProgram, COMMANDS, neededCommands } from '../../src/cli.js';
import { EXIT_CODE_MEANINGS, exitCodesHelp } from '../../src/main.js';
import type { Io } from '../../src/io.js';
import { oneOfRule } from '../../src/lib/fields.js';
import { runCli } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';

const quietIo: Io = { out: () => undefined, err: () => undefined, env: {}, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false };
const named = (p: Command, name: string) => p.commands.find((c) => c.name() === name)!;

describe('help', () => {
  it('loads a command module only when its command runs; the stand-ins show what the modules define', async () => {
    const lazy = await buildProgram(quietIo, ['--help']);
    const full = await buildProgram(quietIo, ['__complete']);
    const help = new Help();
    // every entry's term and summary are the loaded command's own
    for (const [i, e] of COMMANDS.entries()) {
      const cmd = full.commands.filter((c) => c.name() !== '__complete')[i]!;
      expect({ term: help.subcommandTerm(cmd), summary: cmd.description() }).toEqual({ term: e.term, summary: e.summary });
    }
    expect(full.commands.length).toBe(COMMANDS.length + 1);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
    expect(named(lazy, 'accounts').commands).toEqual([]);
    const one = await buildProgram(quietIo, ['--db', 'x.db', 'accounts', 'list']);
    expect(named(one, 'accounts').commands.map((c) => c.name())).toContain('list');
    expect(named(one, 'plans').commands).toEqual([]);
    expect([...neededCommands(['--as-of', '2026-01-01', '--json', 'remind', '--send'])]).toEqual(['remind']);
    expect([...neededCommands(['--debug'])]).toEqual([]);
  });

  it('acctmgr help accounts list is that command’s help, with the global options under "Global options"', async () => {
    const viaHelp = await runCli(['help', 'accounts', 'list']);
    const viaFlag = await runCli(['accounts', 'list', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^Usage: acctmgr accounts list \[options\]/);
    expect(viaHelp.stdout).toMatch(/\nGlobal options:\n(.*\n)* {2}--as-of <date> /);
    expect(viaHelp.stdout).toContain('--db <path|url>');
    expect((await runCli(['help', 'exit-codes'])).stdout).toMatch(/^Exit codes:/);
  });

  it('acctmgr help with a word that names no command is the unknown-command error of the same words without help (exit 2), not help', async () => {
    for (const words of [['nosuch'], ['accounts', 'lst'], ['--json', 'accounts', 'lst']]) {
      const viaHelp = await runCli(['help', ...words]);
      const direct = await runCli(words);
      expect(direct.code).toBe(2);
      expect(viaHelp).toEqual(direct);
    }
    expect((await runCli(['help', 'accounts', 'lst'])).stderr).toContain('(Did you mean list?)');
    // so is a help flag after an unknown command (commander showed the help of `accounts`, exit 0)
    for (const words of [
      ['accounts', 'lst', '--help'],
      ['accounts', 'lst', '-h'],
      ['nosuch', '--help'],
      ['--json', 'accounts', 'lst', '--help'],
    ]) {
      const r = await runCli(words);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r).toEqual(await runCli(words.filter((w) => w !== '--help' && w !== '-h')));
    }
    // a command's arguments are not commands: help for the command
    const arg = await runCli(['help', 'completion', 'bash']);
    expect(arg.code).toBe(0);
    expect(arg.stdout).toMatch(/^Usage: acctmgr completion \[options\] <shell>/);
  });

  it('acctmgr help exit-codes prints docs/basics.md’s table, the same words, wrapped to 80 columns', async () => {
    const docs = fs.readFileSync(new URL('../../docs/basics.md', import.meta.url), 'utf8');
    const table = docs.slice(docs.indexOf('## Exit codes'), docs.indexOf('\n\n', docs.indexOf('## Exit codes')));
    const rows = [...table.matchAll(/^\| (\d+) \| (.*) \|$/gm)].map((m) => [Number(m[1]), m[2]!.replace(/`/g, '').replace(/\\\|/g, '|')]);
    expect(rows.length).toBe(4);
    expect(rows).toEqual(EXIT_CODE_MEANINGS);
    const printed = (await runCli(['help', 'exit-codes'])).stdout;
    expect(printed).toBe(exitCodesHelp());
    const lines = printed.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    // every word of every meaning, in order
    expect(lines.slice(1).join(' ').replace(/\s+/g, ' ').trim()).toBe(EXIT_CODE_MEANINGS.map(([c, m]) => `${c} ${m}`).join(' '));
    expect(lines[1]).toBe('  0    success (an empty list is a success)');
  });

  it('an invalid enum value suggests the closest valid one, only when it is a likely typo', async () => {
    expect(oneOfRule(['school', 'company', 'tutor'], 'skool')).toBe('must be one of school, company, tutor; did you mean school?');
    expect(oneOfRule(['school', 'company', 'tutor'], 'Tutr')).toBe('must be one of school, company, tutor; did you mean tutor?');
    expect(oneOfRule(['school', 'company', 'tutor'], 'bogus')).toBe('must be one of school, company, tutor');
    expect(oneOfRule(['en', 'bg'], 'de')).toBe('must be one of en, bg');
    // a database of the test's own: never the default one in the user's home (read-only commands refuse a missing one)
    const r = await runCli(['accounts', 'list', '--type', 'skool'], { db: await seededDb(async () => undefined) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: type: "skool": must be one of school, company, training_provider, tutor, guest; did you mean school?\n');
  });

  it('import history and db status take --format csv like every list', async () => {
    const db = await seededDb(async () => undefined);
    const history = await runCli(['import', 'history', '--format', 'csv'], { db });
    expect(history.code).toBe(0);
    const status = await runCli(['db', 'status', '--format', 'csv'], { db });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^name,applied,applied_at,known\n0001_foundation,true,[^,]+,true\n/);
  });

  it('db migrate’s help says where migrations also apply by themselves: on SQLite only', async () => {
    const help = await runCli(['db', 'migrate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'apply pending migrations (on SQLite also done on first use; on PostgreSQL only by this command)',
    );
  });
});
