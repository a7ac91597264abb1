/**
 * Benchmark of `acctmgr remind` at scale: generates the seeded data set of bench/remind-data.ts (by
 * default the shape of issue 17: 100,000 accounts, 1,000,000 teachers, 200,000 subscriptions of which
 * 40 % renewed, 1,500,000 seats, a large share of them idle) into a temporary database, then times the
 * real command line in child processes — `acctmgr remind --as-of 2026-11-25` with `--json`, with
 * `--format csv` and as a table piped into a file (not a terminal: tab-separated lines), each with stdout
 * going to a file, `--mark-sent --json` and `--send --json` (into a local SMTP server that discards every
 * message, bench/smtp-sink.ts) each on a copy of the database — reporting the wall time and the peak RSS
 * (`/usr/bin/time -f %M`) of each.
 *
 * The anchor, measured in the same run: the sqlite3 shell running the SQL the preview runs (every
 * query kysely sends during an in-process preview, captured with their values inlined into a .sql file)
 * over the same database, `sqlite3 DB < FILE > /dev/null`. Each figure is printed as a ratio to it.
 *
 *   node dist/bench/remind.js [--accounts 100000] [--contacts 1000000] [--subscriptions 200000] [--renewed 0.4]
 *        [--seats 1500000] [--idle 0.55] [--seed 1] [--keep] [--db FILE] [--bin bin/acctmgr.js]
 *        [--modes json,csv,table,mark-sent,send] [--engines sqlite,postgres]
 *
 * `--db FILE` times an existing generated database (nothing generated, nothing removed); `--bin` another
 * build's bin/acctmgr.js (a before/after comparison). On PostgreSQL the same data is copied (`db copy
 * --to`) into a database of the benchmark's own (bench/pg.ts) and `--json` is timed there, three times,
 * each right after a SQLite `--json` run; the median pair's ratio of the two times is the figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kysely, SqliteDialect, type CompiledQuery } from '#kysely';
import { openDb } from '../src/db/connection.js';
import type { DB } from '../src/db/schema/index.js';
import { dropPgDb, pgCopyOf, pgDbName } from './pg.js';
import { AS_OF, generateRemindData } from './remind-data.js';

const SQLITE = process.env.SQLITE3 || 'sqlite3';
const TIME = process.env.GNU_TIME || '/usr/bin/time';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const MODES: Record<string, string[]> = {
  json: ['--json'],
  csv: ['--format', 'csv'],
  table: [],
  'mark-sent': ['--mark-sent', '--json'],
  send: ['--send', '--json'],
};

interface Timed {
  ms: number;
  max_rss_mb: number;
  bytes: number;
  exit: number | null;
  summary: string;
}

/** One command-line run, stdout into a file: wall time (spawn to exit) and the child's peak RSS. */
function timeCli(bin: string, db: string, args: string[], out: string, home: string, env: NodeJS.ProcessEnv = {}): Timed {
  const rssFile = `${out}.rss`;
  const fd = fs.openSync(out, 'w');
  const started = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%M', '-o', rssFile, process.execPath, bin, '--db', db, 'remind', '--as-of', AS_OF, ...args], {
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: '', XDG_DATA_HOME: '', NO_COLOR: '1', ...env },
    maxBuffer: 1 << 26,
  });
  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  fs.closeSync(fd);
  if (r.error) throw new Error(`${TIME} cannot run (${r.error.message}): install GNU time or name it with GNU_TIME=`);
  const summary = r.stderr.split('\n').find((l) => /notice\(s\)/.test(l)) ?? '';
  // exit 1 is a preview that found notices without a recipient (reported, as the command does)
  if (r.status !== 0 && r.status !== 1) throw new Error(`remind ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  if (!summary) throw new Error(`remind ${args.join(' ')}: no summary line in its stderr: ${r.stderr.slice(-2000)}`);
  const rss = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { ms, max_rss_mb: Math.round(rss / 1024), bytes: fs.statSync(out).size, exit: r.status, summary };
}

/** The SMTP sink as a child process (a blocking spawnSync of the command would starve one in this process). */
async function startSink(): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<string> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./smtp-sink.js', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the SMTP sink stopped (exit ${code})`)));
  });
  let stopped: Promise<string> | undefined;
  return {
    env: { ACCTMGR_SMTP_URL: `smtp://127.0.0.1:${port}`, ACCTMGR_MAIL_FROM: 'bench@vendor.example' },
    stop: () =>
      (stopped ??= new Promise<string>((resolve) => {
        child.once('exit', () => resolve(out.split('\n')[1] ?? '?'));
        child.kill('SIGTERM');
      })),
  };
}

/** A value as SQLite's shell reads it in a statement. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** The compiled query with its parameters inlined (placeholders outside quoted names and strings). */
function inline(q: CompiledQuery): string {
  let out = '';
  let i = 0;
  let quote: string | null = null;
  for (const ch of q.sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      out += ch;
    } else out += ch === '?' ? literal(q.parameters[i++]) : ch;
  }
  return `${out};\n`;
}

/** The SQL an in-process preview sends, in order, into `sqlFile`; how many statements. */
async function captureSql(db: string, sqlFile: string): Promise<number> {
  const { runRemind } = await import('../src/remind/run.js');
  const h = await openDb(db);
  const statements: string[] = [];
  const logged = new Kysely<DB>({
    dialect: new SqliteDialect({ database: h.sqlite! }),
    log: (e) => void (e.level === 'query' && statements.push(inline(e.query))),
  });
  const op = { actor: 'bench', asOf: AS_OF, today: AS_OF, now: `${AS_OF}T07:00:00Z` };
  await runRemind(logged, op, { mode: 'preview', tx: () => Promise.reject(new Error('preview writes nothing')) });
  await h.close();
  fs.writeFileSync(sqlFile, statements.join(''));
  return statements.length;
}

function sqliteShellMs(db: string, sqlFile: string): number {
  const input = fs.openSync(sqlFile, 'r');
  const started = process.hrtime.bigint();
  const r = spawnSync(SQLITE, [db], { stdio: [input, 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  fs.closeSync(input);
  if (r.error || r.status !== 0)
    throw new Error(
      `the remind benchmark's anchor is the sqlite3 shell, and "${SQLITE}" failed (${r.error?.message ?? r.stderr.slice(0, 500)})`,
    );
  return ms;
}

/**
 * The PostgreSQL figure: `--json` on a copy of the data, against SQLite's `--json` over the same data.
 * PAIRS pairs, each SQLite run right before its PostgreSQL run (on a shared machine one pair can land in
 * a noisy moment); the ratio reported is the median pair's, every pair's is listed.
 */
async function onPostgres(bin: string, file: string, dir: string, sqliteJson: Timed): Promise<Record<string, unknown>> {
  const name = pgDbName('remind');
  try {
    const t0 = Date.now();
    const url = await pgCopyOf(file, name);
    process.stderr.write(`PostgreSQL: the data copied into ${name} (db copy) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const pairs: { sqlite_ms: number; postgres: Timed; ratio: number }[] = [];
    for (let i = 1; i <= PAIRS; i++) {
      const lite = i === 1 ? sqliteJson : timeCli(bin, file, MODES.json!, path.join(dir, 'out.json'), dir);
      const t = timeCli(bin, url, MODES.json!, path.join(dir, 'pg.json'), dir);
      if (t.summary !== lite.summary || t.bytes !== lite.bytes)
        throw new Error(
          `PostgreSQL's preview differs from SQLite's: ${t.summary}, ${t.bytes} bytes; SQLite ${lite.summary}, ${lite.bytes} bytes`,
        );
      const ratio = Math.round((t.ms / lite.ms) * 100) / 100;
      pairs.push({ sqlite_ms: lite.ms, postgres: t, ratio });
      process.stderr.write(
        `PostgreSQL remind --json, pair ${i}: ${t.ms} ms against SQLite's ${lite.ms} ms: ${ratio}×, peak RSS ${t.max_rss_mb} MB\n`,
      );
    }
    const mid = [...pairs].sort((a, b) => a.ratio - b.ratio)[Math.floor((pairs.length - 1) / 2)]!;
    process.stderr.write(
      `PostgreSQL remind --json: ${mid.ratio}× SQLite's time (median of ${pairs.length} pairs: ${pairs.map((p) => p.ratio).join(', ')}; ` +
        `target ≤ 1.5×), same ${mid.postgres.bytes} bytes\n`,
    );
    return {
      ...mid.postgres,
      sqlite_ms: mid.sqlite_ms,
      ratio_to_sqlite: mid.ratio,
      pairs: pairs.map((p) => ({ sqlite_ms: p.sqlite_ms, postgres_ms: p.postgres.ms, ratio: p.ratio })),
    };
  } finally {
    await dropPgDb(name);
  }
}

/** SQLite / PostgreSQL pairs of the PostgreSQL figure. */
const PAIRS = 3;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '100000' },
      contacts: { type: 'string', default: '1000000' },
      subscriptions: { type: 'string', default: '200000' },
      renewed: { type: 'string', default: '0.4' },
      seats: { type: 'string', default: '1500000' },
      seed: { type: 'string', default: '1' },
      idle: { type: 'string', default: '0.55' },
      keep: { type: 'boolean', default: false },
      db: { type: 'string' },
      bin: { type: 'string', default: path.join(ROOT, 'bin', 'acctmgr.js') },
      modes: { type: 'string', default: 'json,csv,table,mark-sent,send' },
      engines: { type: 'string', default: 'sqlite,postgres' },
    },
  });
  const data = {
    accounts: Number(values.accounts),
    contacts: Number(values.contacts),
    subscriptions: Number(values.subscriptions),
    renewed: Number(values.renewed),
    seats: Number(values.seats),
    seed: Number(values.seed),
    idle: Number(values.idle),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-remind-'));
  const file = values.db ? path.resolve(values.db) : path.join(dir, 'bench.db');
  let generateMs = 0;
  if (!values.db) {
    const t0 = Date.now();
    await generateRemindData(file, data);
    generateMs = Date.now() - t0;
    process.stderr.write(
      `generated ${data.accounts} accounts, ${data.contacts} teachers, ${data.subscriptions} subscriptions (${data.renewed * 100} % renewed), ` +
        `${data.seats} seats (idle share ${data.idle}) in ${(generateMs / 1000).toFixed(1)} s (${file})\n`,
    );
  }
  const bin = path.resolve(values.bin);
  const sqlFile = path.join(dir, 'preview.sql');
  const statements = await captureSql(file, sqlFile);
  sqliteShellMs(file, sqlFile); // warm-up: both sides read a database in the page cache
  const anchor = sqliteShellMs(file, sqlFile);
  process.stderr.write(`anchor: sqlite3 shell running the preview's ${statements} statements: ${anchor} ms\n`);
  const runs: Record<string, Timed & { ratio: number }> = {};
  const failures: Record<string, string> = {};
  for (const mode of values.modes.split(',')) {
    const args = MODES[mode];
    if (!args) throw new Error(`unknown mode ${mode}: ${Object.keys(MODES).join(', ')}`);
    let db = file;
    if (mode === 'mark-sent' || mode === 'send') {
      db = path.join(dir, `${mode}.db`);
      fs.copyFileSync(file, db);
    }
    // --send delivers into a local SMTP server that discards every message (bench/smtp-sink.ts)
    const sink = mode === 'send' ? await startSink() : undefined;
    let t: Timed;
    try {
      t = timeCli(bin, db, args, path.join(dir, `out.${mode}`), dir, sink?.env);
      if (sink) t.summary += ` (the SMTP server took ${await sink.stop()} message(s))`;
    } catch (e) {
      // a build that fails at this size (the one before issue 17 did with --mark-sent): said, not hidden
      const error = e instanceof Error ? e.message : String(e);
      failures[mode] = error;
      process.stderr.write(`remind ${args.join(' ')}: FAILED: ${error.slice(0, 300)}\n`);
      continue;
    } finally {
      await sink?.stop();
      if (db !== file) for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
    }
    const ratio = Math.round((t.ms / anchor) * 100) / 100;
    runs[mode] = { ...t, ratio };
    process.stderr.write(
      `remind ${args.join(' ') || '(table, piped)'}: ${t.ms} ms = ${ratio}× the anchor (targets < 2000 ms, ≤ 4×), ` +
        `peak RSS ${t.max_rss_mb} MB (target < 300 MB), ${t.bytes} bytes; ${t.summary}\n`,
    );
  }
  const postgres = values.engines.split(',').includes('postgres') && runs.json ? await onPostgres(bin, file, dir, runs.json) : undefined;
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`kept ${dir}\n`);
  process.stdout.write(
    `${JSON.stringify({ bench: 'remind', ...data, generate_ms: generateMs, anchor_sqlite3_ms: anchor, statements, runs, failures, postgres })}\n`,
  );
  if (Object.keys(failures).length > 0) process.exitCode = 1;
}

await main();
