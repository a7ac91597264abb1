/**
 * How lists come out on the command line: tab-separated lines when piped (runCli's stdout is not a
 * terminal), a table cut to the terminal's width when stdout is one (a fake Io of a given width), the
 * CSV header of an empty list, and `remind --explain --format csv` with only CSV on stdout.
 */
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/output/fit.js';
import { dbFiles, onTerminal, runCli } from '../helpers/cli.js';
import { seededDb } from '../helpers/db.js';
import { itSqlite } from '../helpers/engine.js';
import type { Seeder } from '../helpers/seed.js';
import { parseTsv } from '../helpers/tsv.js';

const given = dbFiles();
const seedDb = (fill: (s: Seeder) => Promise<void>) => seededDb((t) => fill(t.seed), given.fresh());

const LONG_NAME = 'The Very Long Name of a Primary School\twith a tab, on the North Side of the River';

async function school(s: Seeder): Promise<void> {
  const anna = await s.manager('anna');
  const a = await s.account('SCH-1', { manager: anna, name: LONG_NAME });
  await s.account('SCH-2', { manager: anna, name: 'Oak\\School' });
  await s.subscription('S-1', { account: a, end_date: '2026-12-09' });
}

describe('lists on the command line', () => {
  it('piped: tab-separated lines under a header of the field names, parsed back to every value', async () => {
    const db = await seedDb(school);
    const r = await runCli(['accounts', 'list'], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[│┌─└]/);
    const { header, rows } = parseTsv(r.stdout);
    expect(header).toEqual(['external_id', 'name', 'type', 'status', 'group', 'parent_external_id', 'manager_login', 'student_count']);
    expect(rows.map((x) => [x.external_id, x.name, x.manager_login])).toEqual([
      ['SCH-1', LONG_NAME, 'anna'],
      ['SCH-2', 'Oak\\School', 'anna'],
    ]);
    // a show is key<TAB>value lines
    const shown = (await runCli(['accounts', 'show', 'SCH-1'], { db })).stdout.split('\n');
    expect(shown).toContain('external_id\tSCH-1');
    expect(shown).toContain(`name\t${LONG_NAME.replace('\t', '\\t')}`);
  });

  it('an empty list piped is its header line alone; "(none)" goes to stderr', async () => {
    const db = await seedDb(school);
    const r = await runCli(['accounts', 'list', '--status', 'deactivated'], { db });
    expect(r).toMatchObject({
      code: 0,
      stdout: 'external_id\tname\ttype\tstatus\tgroup\tparent_external_id\tmanager_login\tstudent_count\n',
    });
    expect(r.stderr).toBe('(none)\n');
  });

  it('on an 80-column terminal no line is longer, long names are cut with …, keys stay whole; --wide shows everything', async () => {
    const db = await seedDb(school);
    const tty = { stdout: true, columns: 80 };
    const r = await runCli(['accounts', 'list'], { db, tty });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map(textWidth))).toBeLessThanOrEqual(80);
    expect(r.stdout).toContain('…');
    expect(r.stdout).toContain('SCH-1');
    expect(r.stdout).not.toContain('North Side');
    // a box: a line under the header, none between the rows
    expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
    expect(lines).toHaveLength(6);

    const wide = await runCli(['accounts', 'list', '--wide'], { db, tty });
    expect(wide.stdout).toContain('North Side of the River');
    expect(Math.max(...wide.stdout.trimEnd().split('\n').map(textWidth))).toBeGreaterThan(80);

    const shown = await runCli(['accounts', 'show', 'SCH-1'], { db, tty });
    expect(Math.max(...shown.stdout.trimEnd().split('\n').map(textWidth))).toBeLessThanOrEqual(80);
  });

  it('--format csv of an empty list prints the same header line as with rows', async () => {
    const db = await seedDb(school);
    const cases: [string[], string[]][] = [
      [
        ['accounts', 'list'],
        ['--status', 'deactivated'],
      ],
      [
        ['subscriptions', 'list'],
        ['--account', 'SCH-2'],
      ],
      [
        ['managers', 'list'],
        ['--region', 'Nowhere'],
      ],
      [['remind'], ['--as-of', '2026-01-02']],
    ];
    for (const [list, emptying] of cases) {
      const full = await runCli([...list, '--format', 'csv'], { db });
      const empty = await runCli([...list, ...emptying, '--format', 'csv'], { db });
      expect(full.code, list.join(' ')).toBe(0);
      expect(empty.code, list.join(' ')).toBe(0);
      const header = full.stdout.split('\n')[0]!;
      expect(full.stdout.split('\n').length, list.join(' ')).toBeGreaterThan(2);
      expect(empty.stdout, list.join(' ')).toBe(`${header}\n`);
    }
    expect((await runCli(['notices', 'list', '--format', 'csv'], { db })).stdout).toMatch(/^id,kind,stage,cycle,due_date,status,/);
  });

  it('--json with --format csv or table is a usage error naming both (exit 2), anywhere on the line; with --format json it is JSON', async () => {
    const db = await seedDb(school);
    for (const args of [
      ['accounts', 'list', '--json', '--format', 'csv'],
      ['--json', 'accounts', 'list', '--format', 'table'],
      ['--json', 'export', 'accounts', '--format', 'csv'],
    ]) {
      const r = await runCli(args, { db });
      const format = args[args.length - 1]!;
      expect(r, args.join(' ')).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: --json and --format ${format} contradict each other\nhint: give one of them (--json is --format json)\n`,
      });
    }
    const both = await runCli(['accounts', 'list', '--json', '--format', 'json'], { db });
    expect(both.code).toBe(0);
    expect(both.stdout).toBe((await runCli(['accounts', 'list', '--json'], { db })).stdout);
  });

  it('remind --explain --format csv prints only CSV on stdout; the heading lines go to stderr', async () => {
    const db = await seedDb(school);
    const r = await runCli(['remind', '--explain', 'S-1', '--format', 'csv'], { db });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('kind,stage,cycle,due_date,sendable_until,state,at,reason');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.split(',').length).toBeGreaterThanOrEqual(8);
    expect(r.stderr).toContain('subscription S-1 (account SCH-1)');
    expect(r.stderr).toContain('recipient:');
    // piped without --format: tab-separated stages alone on stdout too
    const piped = await runCli(['remind', '--explain', 'S-1'], { db });
    expect(parseTsv(piped.stdout).header).toEqual(['kind', 'stage', 'cycle', 'due_date', 'sendable_until', 'state', 'at', 'reason']);
  });

  // the one spawning test here (the spawn budget is per vitest project: SQLite only, rendering does not depend on the engine)
  itSqlite('on a real terminal 64 columns wide the table fits it (SQLite only)', async () => {
    const db = await seedDb(school);
    const r = onTerminal(db, ['accounts', 'list'], [], 20, 64);
    expect(r.code).toBe(0);
    const lines = r.output.split(/\r?\n/).filter((l) => l !== '');
    expect(lines[0]).toMatch(/^┌─/);
    expect(lines.some((l) => l.includes('SCH-1') && l.includes('…'))).toBe(true);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(64);
    expect(Math.max(...lines.map(textWidth))).toBeGreaterThan(40);
  });
});
