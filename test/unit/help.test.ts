import { describe, expect, it } from 'vitest';
import { oneOfRule } from '../../src/lib/fields.js';
import { runCli } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';

describe('help', () => {
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
});
