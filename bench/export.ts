/**
 * Export benchmark: `node dist/bench/export.js [--contacts 1000000] [--accounts 100000] [--seed 1] [--repeat 3]`.
 * Generates a seeded database of accounts and contacts, then, `--repeat` times, times `acctmgr export
 * contacts --out FILE` in a child process that reports its own peak RSS, and right after it the `sqlite3`
 * shell writing the same columns in the same order (`.mode csv`, a join and an ORDER BY on the key columns)
 * into a file; the ratio reported is the median pair's. After each, `contacts list --format csv` of the same
 * database (no target: it streams its rows since the sixteenth session, 1.2 GB → 130 MB). Humans read stderr; one JSON line
 * `{"bench":"export", ...}` goes to stdout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDb } from '../src/db/connection.js';
import { rng } from './random.js';

const SQLITE = process.env.SQLITE3 || 'sqlite3';
const STAMP = '2026-01-01T00:00:00Z';
const ROLES = ['teacher', 'teacher', 'teacher', 'principal', 'admin', 'it'];

async function generate(file: string, accounts: number, contacts: number, seed: number): Promise<void> {
  const h = await openDb(file);
  const db = h.sqlite!;
  const rand = rng(seed);
  db.pragma('synchronous = OFF');
  db.transaction(() => {
    const acc = db.prepare(
      'insert into accounts (external_id, external_id_key, name, type, status, locale, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (let a = 1; a <= accounts; a++) {
      const id = `SCH-${String(a).padStart(6, '0')}`;
      acc.run(id, id.toLowerCase(), `School ${a}`, 'school', 'active', a % 3 ? 'en' : 'bg', STAMP, STAMP);
    }
    const con = db.prepare(
      'insert into contacts (account_id, name, email, email_key, role, is_primary, status, invited_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (let c = 1; c <= contacts; c++) {
      const account = 1 + Math.floor(rand() * accounts);
      const email = `teacher${c}@school${account}.example`;
      const invited = rand() < 0.7 ? `2026-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)}` : null;
      con.run(account, `Teacher ${c}`, email, email, ROLES[c % ROLES.length], c % 50 === 0 ? 1 : 0, 'active', invited, STAMP, STAMP);
    }
  })();
  await h.close();
}

/**
 * In the child: the export (or, `list`, `contacts list --format csv` into the file) through the command line's
 * own entry point, then its figures on stdout.
 */
async function measure(file: string, out: string, list: boolean): Promise<void> {
  const { main } = await import('../src/main.js');
  (await import('../src/heap.js')).commandHeap();
  const started = process.hrtime.bigint();
  const fd = list ? fs.openSync(out, 'w') : undefined;
  const io = {
    out: (t: string) => void (fd === undefined ? process.stdout.write(t) : fs.writeSync(fd, t)),
    err: (t: string) => void process.stderr.write(t),
    env: { ...process.env, ACCTMGR_DB: file },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  const code = await main(list ? ['contacts', 'list', '--format', 'csv'] : ['export', 'contacts', '--out', out], io);
  if (fd !== undefined) fs.closeSync(fd);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) throw new Error(`${list ? 'contacts list' : 'export'} exited ${code}`);
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

function shell(file: string, out: string): number {
  const query =
    'select a.external_id as account_external_id, c.name, c.email, c.role, c.is_primary, c.status, c.invited_at, c.last_login_at ' +
    'from contacts c join accounts a on a.id = c.account_id order by a.external_id_key, c.email_key;';
  const started = process.hrtime.bigint();
  const r = spawnSync(SQLITE, [file, '-cmd', '.headers on', '-cmd', '.mode csv', '-cmd', `.output ${out}`, query], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error || r.status !== 0)
    throw new Error(
      `the export benchmark compares with the sqlite3 shell, and "${SQLITE}" failed (${r.error?.message ?? r.stderr}): install it (apt-get install sqlite3) or name it with SQLITE3=/path/to/sqlite3`,
    );
  return Math.round(ms);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      contacts: { type: 'string', default: '1000000' },
      accounts: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      repeat: { type: 'string', default: '3' },
      measure: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.measure) return measure(values.measure, values.out!, values.list);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-export-'));
  try {
    const file = path.join(dir, 'bench.db');
    const [contacts, accounts] = [Number(values.contacts), Number(values.accounts)];
    const t = Date.now();
    await generate(file, accounts, contacts, Number(values.seed));
    process.stderr.write(`generated ${accounts} accounts and ${contacts} contacts in ${Date.now() - t} ms\n`);
    const pairs: { export_ms: number; max_rss_mb: number; sqlite3_ms: number; ratio: number; bytes: number }[] = [];
    const lists: { ms: number; max_rss_mb: number; ratio: number }[] = [];
    for (let i = 0; i < Number(values.repeat); i++) {
      const out = path.join(dir, 'export.csv');
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', file, '--out', out], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`export failed: ${child.stderr}`);
      const figures = JSON.parse(child.stdout) as { ms: number; max_rss_mb: number };
      const bytes = fs.statSync(out).size;
      const sqlite3 = shell(file, path.join(dir, 'shell.csv'));
      const pair = { export_ms: figures.ms, max_rss_mb: figures.max_rss_mb, sqlite3_ms: sqlite3, ratio: figures.ms / sqlite3, bytes };
      pairs.push(pair);
      process.stderr.write(
        `export contacts: ${pair.export_ms} ms, peak RSS ${pair.max_rss_mb} MB, ${bytes} bytes; sqlite3 .mode csv: ${sqlite3} ms; ratio ${pair.ratio.toFixed(2)}×\n`,
      );
      // the same contacts as a list (no target: its own columns, the default filter, the same order)
      const listed = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', file, '--out', out, '--list'], {
        encoding: 'utf8',
      });
      if (listed.status !== 0) throw new Error(`contacts list failed: ${listed.stderr}`);
      const list = JSON.parse(listed.stdout) as { ms: number; max_rss_mb: number };
      lists.push({ ms: list.ms, max_rss_mb: list.max_rss_mb, ratio: list.ms / sqlite3 });
      process.stderr.write(
        `contacts list --format csv: ${list.ms} ms, peak RSS ${list.max_rss_mb} MB, ${fs.statSync(out).size} bytes; ratio to sqlite3 .mode csv ${(list.ms / sqlite3).toFixed(2)}×\n`,
      );
    }
    const mid = median(pairs.map((p) => p.ratio));
    process.stderr.write(
      `median ratio ${mid.toFixed(2)}× (target ≤ 2×), peak RSS up to ${Math.max(...pairs.map((p) => p.max_rss_mb))} MB (target < 150 MB)\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ bench: 'export', contacts, accounts, median_ratio: mid, runs: pairs, contacts_list: lists })}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await run();
