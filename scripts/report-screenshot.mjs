#!/usr/bin/env node
/**
 * Makes docs/report.png, the screenshot of `acctmgr report html` in the docs: loads the demo data
 * (fixtures/) into a temporary database, writes the report as of 2026-11-25, opens it in Debian's
 * Chromium (playwright-core, a dev dependency) and saves a full-page screenshot. Needs `npm run build`
 * and /usr/bin/chromium (apt-get install chromium), or CHROMIUM=/path/to/chrome.
 *
 *   npm run build && node scripts/report-screenshot.mjs [OUT.png]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { main } = await import(path.join(root, 'dist/src/main.js'));
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs/report.png'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-shot-'));
const db = path.join(dir, 'demo.db');
const html = path.join(dir, 'report.html');
const io = {
  out: () => {},
  err: (t) => process.stderr.write(t),
  env: { ...process.env, ACCTMGR_DB: db, ACCTMGR_TODAY: '2026-11-25', NO_COLOR: '1' },
  stdinIsTTY: false,
  stdoutIsTTY: false,
  stderrIsTTY: false,
};
for (const argv of [
  ['import', 'all', path.join(root, 'fixtures')],
  ['report', 'html', '--out', html],
]) {
  const code = await main(argv, io);
  if (code !== 0) throw new Error(`acctmgr ${argv.join(' ')}: exit ${code}`);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`file://${html}`);
  await page.waitForSelector('body[data-charts-drawn="3"]');
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.stderr.write(`wrote ${out}\n`);
