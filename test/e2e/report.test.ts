/**
 * `acctmgr report …` on the command line (in-process) over the demo data set (fixtures/): the same
 * rows as a table, `--json` and `--format csv`; the sparkline only on a terminal; usage errors; and the
 * HTML report written 0600, self-contained, and opened in a real headless browser (Debian's Chromium
 * through playwright-core — a browser, not a spawn of acctmgr) with every chart drawn and no console
 * error, its screenshot left in the test's temporary folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { describe, expect, it } from 'vitest';
import { dbFiles, ROOT, runCli, runJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/db.js';

const AS_OF = ['--as-of', '2026-11-25'];
const given = dbFiles();
const demo = given.template(async (db) => {
  expect((await runCli(['db', 'migrate'], { db })).code).toBe(0);
  const r = await runCli(['import', 'all', path.join(ROOT, 'fixtures')], { db });
  expect(r.code, r.stderr).toBe(0);
});

/** CSV cells as the JSON has them (numbers as numbers, empty as null). */
function fromCsv(text: string): Record<string, unknown>[] {
  return (parse(text, { columns: true }) as Record<string, string>[]).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : /^\d+$/.test(v) ? Number(v) : v])),
  );
}

describe('acctmgr report', () => {
  it('usage, renewals and managers: --json and --format csv give the same rows; the table shows them', async () => {
    const db = await demo();
    for (const report of ['usage', 'renewals', 'managers']) {
      const json = await runJson<Record<string, unknown>[]>(['report', report, ...AS_OF, '--json'], { db });
      expect(json.length, report).toBeGreaterThan(0);
      const csv = await runCli(['report', report, ...AS_OF, '--format', 'csv'], { db });
      expect(csv.code).toBe(0);
      const fromJson = json.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v])));
      expect(fromCsv(csv.stdout), report).toEqual(fromJson);
      const table = await runCli(['report', report, ...AS_OF], { db });
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(String(json[0]![Object.keys(json[0]!)[0]!]));
    }
    const usage = await runJson<{ subscription_external_id: string; month: string; logins: number }[]>(
      ['report', 'usage', '--subscription', 'SUB-2026-001', ...AS_OF, '--json'],
      { db },
    );
    // fixtures/logins.csv: SUB-2026-001 has three logins, all in November 2026
    const logins = fs
      .readFileSync(path.join(ROOT, 'fixtures/logins.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('SUB-2026-001,'));
    expect(usage.find((r) => r.month === '2026-11')!.logins).toBe(logins.filter((l) => l.includes(',2026-11-')).length);
    expect(usage.reduce((n, r) => n + r.logins, 0)).toBe(logins.length);
  });

  it('usage on a terminal ends each subscription with a bar of its logins per month; piped, no bar', async () => {
    const db = await demo();
    const args = ['report', 'usage', '--account', 'SCH-001', '--from', '2026-09', '--to', '2026-11', ...AS_OF];
    const tty = await runCli(args, { db, tty: { stdout: true } });
    expect(tty.code).toBe(0);
    const json = await runJson<{ subscription_external_id: string; logins: number }[]>([...args, '--json'], { db });
    const subs = [...new Set(json.map((r) => r.subscription_external_id))];
    const bars = tty.stdout.split('\n').filter((l) => l.includes('trend'));
    expect(bars).toHaveLength(subs.length);
    expect(bars.every((l) => /[▁▂▃▄▅▆▇█]{3}/.test(l))).toBe(true);
    // SUB-2026-001: no logins in September and October, three in November
    expect(tty.stdout).toContain('▁▁█');
    const piped = await runCli(args, { db });
    expect(piped.stdout).not.toContain('trend');
  });

  it('bad input: exit 2 for a bad option value, exit 1 for an unknown manager, nothing on stdout', async () => {
    const db = await demo();
    const month = await runCli(['report', 'usage', '--from', '2026-13', '--format', 'csv'], { db });
    expect(month.code).not.toBe(0);
    expect(month.stdout).toBe('');
    expect(month.stderr).toContain('from: "2026-13": is not a real calendar month');
    const who = await runCli(['report', 'usage', '--manager', 'nobody', '--format', 'csv'], { db });
    expect(who.code).toBe(1);
    expect(who.stdout).toBe('');
    expect((await runCli(['report', 'renewals', '--months', 'x'], { db })).code).toBe(2);
    expect((await runCli(['report', 'html'], { db })).code).toBe(2);
  });

  it('html: one self-contained file, mode 0600, every chart drawn in a real browser without console errors', async () => {
    const db = await demo();
    const dir = tempDir('acctmgr-report-');
    const out = path.join(dir, 'report.html');
    const r = await runCli(['report', 'html', '--out', out, ...AS_OF], { db });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['report.html']); // no temporary file left
    const html = fs.readFileSync(out, 'utf8');
    // nothing to fetch: no external scripts, styles, fonts or images
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:/i);
    expect(html).toContain('Chart.js v4.6.1');
    const managers = await runJson<{ login: string }[]>(['report', 'managers', ...AS_OF, '--json'], { db });
    for (const m of managers) expect(html).toContain(`<td>${m.login}</td>`);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      // the page may not reach anything: every request but the file itself is recorded and refused
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${out}`);
      await page.waitForSelector('body[data-charts-drawn="3"]', { timeout: 10_000 });
      const charts = await page.$$eval('canvas', (cs) =>
        cs.map((c) => {
          const ctx = c.getContext('2d')!;
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          return { id: c.id, width: c.width, height: c.height, painted };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(['usage-chart', 'renewals-chart', 'managers-chart']);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.painted, c.id).toBeGreaterThan(1000);
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
      expect(fs.statSync(path.join(dir, 'report.png')).size).toBeGreaterThan(10_000);
      // printable: the print media keeps every chart and table
      await page.emulateMedia({ media: 'print' });
      expect(await page.$$eval('table', (ts) => ts.length)).toBe(4);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
