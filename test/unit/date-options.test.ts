/**
 * Date, time and month options of the work log, trainings and reports: a value without the shape
 * (`bogus`, `2027-1-5`, `2026-1`) is a usage error (exit 2) on every command, as for `--as-of` and
 * `seats login --at`; a value with the shape but not a real date, or out of range, is exit 1.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { eachTestDb } from '../helpers/db.js';

const t = eachTestDb(async (t) => {
  const anna = await t.seed.manager('anna');
  await t.seed.account('SCH-001', { manager: anna });
});

const run = async (...args: string[]) => {
  const r = await runCli(args, { db: t.path });
  return { code: r.code, stderr: r.stderr.split('\n')[0] };
};

describe('date, time and month options', () => {
  it('a malformed value is exit 2 naming the option, before anything is read', async () => {
    const add = ['activities', 'add', '--account', 'SCH-001', '--kind', 'call', '--subject', 'x'];
    expect(await run(...add, '--at', 'bogus')).toEqual({
      code: 2,
      stderr: `error: option '--at <value>' argument 'bogus' is invalid. "bogus" is not an ISO 8601 timestamp like 2026-03-01T08:30:00Z`,
    });
    expect((await run(...add, '--next', 'y', '--next-at', 'soon')).code).toBe(2);
    expect((await run('activities', 'edit', 'ACT-000001', '--at', '10:00')).code).toBe(2);
    const training = ['trainings', 'add', '--account', 'SCH-001', '--topic', 'T', '--participants', '3'];
    expect(await run(...training, '--dates', '2027-01-04;2027-1-5')).toEqual({
      code: 2,
      stderr: `error: option '--dates <value>' argument '2027-01-04;2027-1-5' is invalid. "2027-1-5" is not a date in the form YYYY-MM-DD`,
    });
    expect(await run('report', 'usage', '--from', '2026-1')).toEqual({
      code: 2,
      stderr: `error: option '--from <YYYY-MM>' argument '2026-1' is invalid. "2026-1" is not a month in the form YYYY-MM`,
    });
    expect((await run('report', 'usage', '--to', 'june')).code).toBe(2);
    expect((await run('trainings', 'calendar', '--month', '2027-3')).code).toBe(2);
  });

  it('a value with control characters is shown escaped, in our words and in commander’s, never sent to the terminal raw', async () => {
    expect(await run('--as-of', '2026\u001b[31m', 'accounts', 'list')).toEqual({
      code: 2,
      stderr: `error: option '--as-of <date>' argument '2026\\u001b[31m' is invalid. "2026\\u001b[31m" is not a date in the form YYYY-MM-DD`,
    });
    expect((await run('report', 'usage', '--from', '2026\u0007')).stderr).toContain(`"2026\\u0007" is not a month in the form YYYY-MM`);
  });

  it('a whole number beyond 2^53 − 1 is refused as written, not as the rounded number it would become', async () => {
    expect(await run('accounts', 'list', '--limit', '99999999999999999999')).toEqual({
      code: 2,
      stderr: `error: option '--limit <n>' argument '99999999999999999999' is invalid. "99999999999999999999" is larger than 9007199254740991, the largest whole number accepted`,
    });
    expect((await run('accounts', 'list', '--limit', '9007199254740991')).code).toBe(0);
  });

  it('the shape right but not a real date or month, or out of range: exit 1 naming the field and the rule', async () => {
    const add = ['activities', 'add', '--account', 'SCH-001', '--kind', 'call', '--subject', 'x'];
    expect(await run(...add, '--at', '2026-02-30T10:00:00Z')).toEqual({
      code: 1,
      stderr: 'error: at: "2026-02-30T10:00:00Z": is not a real calendar date',
    });
    const training = ['trainings', 'add', '--account', 'SCH-001', '--topic', 'T', '--participants', '3'];
    expect(await run(...training, '--dates', '2027-02-30')).toEqual({
      code: 1,
      stderr: 'error: dates: "2027-02-30": is not a real calendar date',
    });
    expect(await run('report', 'usage', '--from', '1899-12', '--to', '1900-01')).toEqual({
      code: 1,
      stderr: 'error: from: "1899-12": must be between 1900-01 and 9999-12',
    });
    expect(await run('trainings', 'calendar', '--month', '2027-13')).toEqual({
      code: 1,
      stderr: 'error: month: "2027-13": is not a real calendar month',
    });
    // and a value that is right is taken
    expect((await run(...training, '--dates', '2027-01-04;2027-01-05')).code).toBe(0);
    expect((await run('trainings', 'edit', 'TRN-000001', '--dates', '')).code).toBe(0);
  });
});
