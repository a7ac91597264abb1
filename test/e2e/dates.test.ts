/** The date range 1900-01-01..9999-12-31 on the command line: given dates, today, and dates derived from them. */
import { beforeEach, describe, expect, it } from 'vitest';
import { dbFiles, runCli, runJson } from '../helpers/cli.js';

let db: string;
const run = (args: string[], env?: NodeJS.ProcessEnv) => runCli(args, { db, env });
const addSub = (start: string, ...more: string[]) =>
  run([
    'subscriptions',
    'add',
    '--account-external-id',
    'SCH-1',
    '--plan',
    'ED-BASIC',
    '--students',
    '100',
    '--term-months',
    '12',
    '--start-date',
    start,
    ...more,
  ]);

/** Each test gets a copy: a manager, an account, a product with a priced plan; no subscription. */
const given = dbFiles().template(async (at) => {
  db = at;
  for (const args of [
    ['managers', 'add', '--login', 'anna', '--name', 'Anna', '--email', 'anna@vendor.example'],
    ['accounts', 'add', '--external-id', 'SCH-1', '--name', 'School', '--type', 'school', '--manager-login', 'anna'],
    ['products', 'add', '--code', 'EDIARY', '--name', 'E-diary'],
    ['plans', 'add', '--code', 'ED-BASIC', '--name', 'Basic', '--product', 'EDIARY', '--currency', 'EUR'],
    ['plans', 'price', 'ED-BASIC', '--max-students', '500', '--term', '12', '--amount', '900.00'],
  ]) {
    const r = await run(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
});
beforeEach(async () => {
  db = await given();
});

const RANGE = 'must be between 1900-01-01 and 9999-12-31';

describe('dates outside 1900-01-01..9999-12-31', () => {
  it('are refused as given dates, --as-of and ACCTMGR_TODAY, with exit 1 naming the field', async () => {
    const cases: [() => Promise<{ code: number | null; stderr: string }>, string][] = [
      [() => addSub('0000-01-01'), `start_date: "0000-01-01": ${RANGE}`],
      [() => addSub('1899-12-31'), `start_date: "1899-12-31": ${RANGE}`],
      [() => run(['subscriptions', 'list', '--as-of', '0000-01-01']), `as_of: "0000-01-01": ${RANGE}`],
      [() => run(['accounts', 'list'], { ACCTMGR_TODAY: '1899-12-31' }), `ACCTMGR_TODAY: "1899-12-31": ${RANGE}`],
      [() => run(['audit', '--since', '0001-01-01']), `since: "0001-01-01": ${RANGE}`],
    ];
    for (const [command, message] of cases) {
      const r = await command();
      expect(r.code, message).toBe(1);
      expect(r.stderr, message).toBe(`error: ${message}\n`);
    }
    expect(await runJson<unknown[]>(['subscriptions', 'list'], { db })).toEqual([]);
  });

  it('derived past 9999-12-31 are an error naming the field they come from, never "a bug"', async () => {
    const late = await addSub('9999-06-01');
    expect(late.code).toBe(1);
    expect(late.stderr).toBe('error: start_date: "9999-06-01": the end date would be after 9999-12-31\n');
    const last = await runJson<{ external_id: string; end_date: string }>(
      [
        'subscriptions',
        'add',
        '--account-external-id',
        'SCH-1',
        '--plan',
        'ED-BASIC',
        '--students',
        '100',
        '--term-months',
        '12',
        '--start-date',
        '9999-01-01',
      ],
      { db },
    );
    expect(last.end_date).toBe('9999-12-31');
    const renew = await run(['subscriptions', 'renew', last.external_id]);
    expect(renew.code).toBe(1);
    expect(renew.stderr).toBe('error: end_date: "9999-12-31": the renewal\'s first day would be after 9999-12-31\n');
    const within = await run(['subscriptions', 'list', '--as-of', '9999-12-01', '--ending-within', '100']);
    expect(within.code).toBe(1);
    expect(within.stderr).toBe('error: ending_within: "100": as-of + ending_within would be after 9999-12-31\n');
  });

  it('at the end of the range, remind previews and explains the stages that fit in it', async () => {
    expect((await addSub('9999-01-01')).code).toBe(0);
    const r = await run(['remind', '--as-of', '9999-12-31', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const due = JSON.parse(r.stdout) as { stage: string; due_date: string }[];
    expect(due.map((n) => [n.stage, n.due_date])).toEqual([['renewal-0d', '9999-12-31']]);
    const sub = (await runJson<{ external_id: string }[]>(['subscriptions', 'list'], { db }))[0]!.external_id;
    const explained = await runJson<{ stages: { stage: string; sendable_until: string | null }[] }>(
      ['remind', '--explain', sub, '--as-of', '9999-12-31'],
      { db },
    );
    expect(explained.stages.filter((s) => s.stage.startsWith('renewal')).map((s) => [s.stage, s.sendable_until])).toEqual([
      ['renewal-6w', '9999-12-17'],
      ['renewal-2w', '9999-12-31'],
      ['renewal-0d', null],
    ]);
  });
});
