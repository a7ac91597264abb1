import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seededDb, tempDir } from '../helpers/db.js';

const complete = async (words: string[], db?: string) => {
  const r = await runCli(['__complete', '--', ...words], { db });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
};

describe('shell completion', () => {
  it('completes commands, subcommands, options (global ones too) and enum values', async () => {
    expect(await complete(['acc'])).toEqual(['accounts']);
    expect(await complete(['accounts', 'l'])).toEqual(['list']);
    expect(await complete(['accounts', 'list', '--st'])).toEqual(['--status']);
    expect(await complete(['accounts', 'list', '--type', ''])).toEqual(['school', 'company', 'training_provider', 'tutor', 'guest']);
    expect(await complete(['import', 'contacts', 'f.csv', '--on-existing', 's'])).toEqual(['skip']);
    expect(await complete(['remind', '--as'])).toEqual(['--as-of']);
    expect(await complete(['completion', '--he'])).toEqual(['--help']);
    expect(await complete(['trainings', 'advance', 'TRN-000001', '--to', 'con'])).toEqual([
      'confirmed',
      'contract_requested',
      'contract_sent',
    ]);
    expect(await complete(['trainings', 'add', '--format', ''])).toEqual(['onsite', 'offsite', 'online']);
    expect(await complete(['trainings', 'list', '--source', 'c'])).toEqual(['campaign', 'cross_sell']);
    expect(await complete(['__comp'])).toEqual([]);
  });

  it('completes account external ids and manager logins from the database, and never creates one', async () => {
    const db = await seededDb(async (t) => {
      const ana = await t.seed.manager('ana');
      await t.seed.account('SCH-1', { manager: ana });
      await t.seed.account('SCH-2', { manager: ana });
    });
    expect(await complete(['accounts', 'show', 'SCH'], db)).toEqual(['SCH-1', 'SCH-2']);
    expect(await complete(['accounts', 'add', '--manager-login', ''], db)).toEqual(['ana']);
    expect(await complete(['--db', db, 'accounts', 'show', ''])).toEqual(['SCH-1', 'SCH-2']);
    const missing = path.join(tempDir(), 'typo.db');
    expect(await complete(['accounts', 'show', ''], missing)).toEqual([]);
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('keys match the typed prefix by their fold, in any case and any script; commands and enum values as typed', async () => {
    const db = await seededDb(async (t) => {
      const m1 = await t.seed.manager('m1');
      await t.seed.account('Иван', { type: 'guest' });
      await t.seed.account('STRASSE-1', { manager: m1 });
    });
    expect(await complete(['managers', 'show', 'M'], db)).toEqual(['m1']);
    expect(await complete(['accounts', 'show', 'и'], db)).toEqual(['Иван']);
    expect(await complete(['accounts', 'show', 'ИВ'], db)).toEqual(['Иван']);
    expect(await complete(['accounts', 'show', 'straße'], db)).toEqual(['STRASSE-1']);
    expect(await complete(['accounts', 'add', '--manager-login', 'M'], db)).toEqual(['m1']);
    expect(await complete(['accounts', 'list', '--type', 'S'], db)).toEqual([]);
    expect(await complete(['ACC'], db)).toEqual([]);
    // zsh keeps what acctmgr offers (-U) instead of filtering it again by case-sensitive prefix
    expect((await runCli(['completion', 'zsh'])).stdout).toContain('compadd -U -a candidates');
  });

  it('keys are narrowed by the typed prefix before the first thousand are taken; LIKE’s % and _ are plain characters', async () => {
    const db = await seededDb(async (t) => {
      for (let i = 0; i < 1001; i++) await t.seed.account(`A-${String(i).padStart(4, '0')}`, { type: 'guest' });
      for (const id of ['Z-1', 'Q_1', 'QA1', 'Q%2', 'QB2']) await t.seed.account(id, { type: 'guest' });
    });
    // the first thousand keys in order are all A-…: a filter after them found nothing
    expect(await complete(['accounts', 'show', 'z'], db)).toEqual(['Z-1']);
    expect(await complete(['accounts', 'show', 'q_'], db)).toEqual(['Q_1']);
    expect(await complete(['accounts', 'show', 'Q%'], db)).toEqual(['Q%2']);
    expect(await complete(['accounts', 'show', 'A-100'], db)).toEqual(['A-1000']);
  });

  it('the --opt=value form: the value completed whole, or only its part after = when bash split the word there; --db=FILE read', async () => {
    const db = await seededDb(async (t) => {
      const ana = await t.seed.manager('ana');
      await t.seed.account('SCH-1', { manager: ana });
    });
    // zsh and fish pass the word whole
    expect(await complete(['accounts', 'list', '--type=sch'])).toEqual(['--type=school']);
    expect(await complete(['--db=' + db, 'accounts', 'show', 'SCH'])).toEqual(['SCH-1']);
    expect(await complete(['accounts', 'add', '--manager-login=a'], db)).toEqual(['--manager-login=ana']);
    // bash splits at = (COMP_WORDBREAKS) and replaces only what follows it
    expect(await complete(['accounts', 'list', '--type', '=', 'sch'])).toEqual(['school']);
    expect(await complete(['accounts', 'list', '--type', '=', ''])).toEqual(['school', 'company', 'training_provider', 'tutor', 'guest']);
    expect(await complete(['--db', '=', db, 'accounts', 'show', 'SCH'])).toEqual(['SCH-1']);
    expect(await complete(['accounts', 'list', '--nosuch=x'])).toEqual([]);
    // arguments with a fixed list of values
    expect(await complete(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete(['export', 'con'])).toEqual(['contacts']);
  });

  it('the bash script loads and fills COMPREPLY from `acctmgr __complete -- WORDS`', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'acctmgr.bash'), script);
    // `acctmgr` here is a stand-in that records how the script called it and answers what the real one
    // answers for those words (asserted above): the script's own plumbing is what this checks
    const candidates = (await complete(['accounts', 'l'])).join('\n');
    const bash = `
      acctmgr() { printf '%s\\n' "$@" > "${dir}/args"; printf '%s\\n' ${JSON.stringify(candidates)}; }
      source "${dir}/acctmgr.bash"
      complete -p acctmgr
      COMP_WORDS=(acctmgr accounts l); COMP_CWORD=2
      _acctmgr_complete
      printf 'reply:%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', bash], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('complete -o default -F _acctmgr_complete acctmgr');
    expect(r.stdout).toContain('reply:list');
    expect(fs.readFileSync(path.join(dir, 'args'), 'utf8')).toBe('__complete\n--\naccounts\nl\n');
    for (const shell of ['zsh', 'fish']) expect((await runCli(['completion', shell])).stdout).toContain('acctmgr __complete --');
    expect((await runCli(['completion', 'tcsh'])).code).toBe(2);
  });
});
