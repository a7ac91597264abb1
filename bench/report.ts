/**
 * Benchmark of `acctmgr report usage --format csv` and `acctmgr report html`: generates seeded
 * synthetic data (subscriptions, seats — some removed mid-term — and login events over two years) into
 * a temporary SQLite file, then, each in a fresh child process (so peak RSS is the command's own), runs
 * the command through main() exactly as the binary does (stdout written synchronously into a file) and,
 * right after the usage report, the sqlite3 shell's GROUP BY of logins and active teachers per
 * subscription and month over the same database. Human-readable figures on stderr, one JSON line
 * {"bench":"report", …} on stdout.
 *
 *   node dist/bench/report.js [--subscriptions 200000] [--seats 1500000] [--events 5000000] [--seed 1] [--repeat 3] [--keep]
 *   node dist/bench/report.js --db FILE --repeat 0 --html 3   # an earlier --keep database: only `report html`, 3 times
 *
 * --repeat: runs of the usage report and the shell (0: none); --html: runs of `report html` (default 1);
 * --keep: the generated database (and outputs) stay in the temporary folder named on stderr.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDb } from '../src/db/connection.js';
import { addDays } from '../src/lib/dates.js';
import { rng } from './random.js';

const AS_OF = '2026-11-25';
const STAMP = '2025-01-01T00:00:00Z';

async function generate(file: string, subs: number, seats: number, events: number, seed: number): Promise<void> {
  const h = await openDb(file);
  const db = h.sqlite!;
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  db.pragma('synchronous = OFF');
  db.pragma('journal_mode = DELETE');
  db.transaction(() => {
    const managers = 200;
    const mgr = db.prepare(
      'insert into managers (login, name, email, email_key, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= managers; i++)
      mgr.run(`m${i}`, `Manager ${i}`, `m${i}@vendor.example`, `m${i}@vendor.example`, 'active', STAMP, STAMP);
    db.prepare("insert into products (code, code_key, name, created_at, updated_at) values ('BIO', 'bio', 'Biology site', ?, ?)").run(
      STAMP,
      STAMP,
    );
    db.prepare(
      "insert into plans (code, code_key, name, product_id, currency, created_at, updated_at) values ('B1', 'b1', 'Basic', 1, 'EUR', ?, ?), ('B2', 'b2', 'Basic GBP', 1, 'GBP', ?, ?)",
    ).run(STAMP, STAMP, STAMP, STAMP);
    const accounts = Math.max(1, Math.ceil(subs / 2));
    const contactsPerAccount = Math.max(2, Math.ceil((1.5 * seats) / accounts));
    const acc = db.prepare(
      "insert into accounts (external_id, external_id_key, name, type, status, locale, manager_id, created_at, updated_at) values (?, ?, ?, 'school', 'active', 'en', ?, ?, ?)",
    );
    const con = db.prepare(
      "insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at) values (?, ?, ?, ?, 'teacher', 0, 'active', ?, ?)",
    );
    for (let a = 1; a <= accounts; a++) {
      acc.run(`ACC-${a}`, `acc-${a}`, `Account ${a}`, 1 + int(managers), STAMP, STAMP);
      for (let c = 0; c < contactsPerAccount; c++)
        con.run(a, `Teacher ${a}-${c}`, `t${c}@a${a}.example`, `t${c}@a${a}.example`, STAMP, STAMP);
    }
    const sub = db.prepare(
      "insert into subscriptions (external_id, external_id_key, account_id, product_id, plan_id, students, term_months, start_date, end_date, status, manager_id, price_cents, paid_at, created_at, updated_at) values (?, ?, ?, 1, ?, 100, 12, ?, ?, 'active', ?, ?, ?, ?, ?)",
    );
    const starts: string[] = [''];
    for (let s = 1; s <= subs; s++) {
      const end = addDays(AS_OF, int(800) - 400);
      const start = addDays(end, -364);
      starts.push(start);
      sub.run(
        `SUB-${s}`,
        `sub-${s}`,
        1 + ((s - 1) % accounts),
        1 + (s % 7 === 0 ? 1 : 0),
        start,
        end,
        1 + int(managers),
        50_000 + int(100_000),
        start,
        STAMP,
        STAMP,
      );
    }
    const seat = db.prepare(
      'insert into seats (subscription_id, contact_id, status, invited_at, last_login_at, removed_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const event = db.prepare('insert or ignore into login_events (seat_id, at) values (?, ?)');
    const perSub = seats / subs;
    const perSeat = events / seats;
    let seatId = 0;
    for (let s = 1; s <= subs && seatId < seats; s++) {
      const a = 1 + ((s - 1) % accounts);
      const count = Math.min(contactsPerAccount, Math.floor(perSub * s) - Math.floor(perSub * (s - 1)), seats - seatId);
      const first = int(contactsPerAccount);
      for (let k = 0; k < count; k++) {
        const contact = (a - 1) * contactsPerAccount + 1 + ((first + k) % contactsPerAccount);
        const invited = addDays(starts[s]!, int(60));
        const removed = rand() < 0.05 ? addDays(invited, 1 + int(300)) : null;
        // events: 0 … 2 × the average, spread over the two years before the as-of date (20% never log in)
        const n = rand() < 0.2 ? 0 : int(Math.round((2 * perSeat) / 0.8) + 1);
        seatId++;
        const ats: string[] = [];
        for (let e = 0; e < n; e++) {
          const day = addDays(AS_OF, -int(730));
          ats.push(`${day}T${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:00Z`);
        }
        ats.sort();
        const last = ats.length > 0 ? ats[ats.length - 1]! : null;
        seat.run(s, contact, removed ? 'removed' : last ? 'active' : 'invited', invited, last, removed, STAMP, STAMP);
        for (const at of ats) event.run(seatId, at);
      }
    }
  })();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('analyze');
  await h.close();
}

/** The measured part, in its own process: main() as the binary runs it, stdout into a file. */
async function measure(file: string, out: string, argv: string[]): Promise<void> {
  const { main } = await import('../src/main.js');
  (await import('../src/heap.js')).commandHeap();
  const fd = fs.openSync(out, 'w');
  const started = process.hrtime.bigint();
  const code = await main([...argv, '--db', file, '--as-of', AS_OF], {
    out: (t) => void fs.writeSync(fd, t),
    err: (t) => void process.stderr.write(t),
    env: { ...process.env, NO_COLOR: '1' },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.closeSync(fd);
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      code,
      ms: Math.round(ms),
      cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

const SHELL_SQL = `.mode csv
.headers on
select st.subscription_id, substr(le.at, 1, 7) as month, count(*) as logins, count(distinct le.seat_id) as active_teachers
from login_events le join seats st on st.id = le.seat_id
where le.at >= '2025-12-01' and le.at < '2026-12-01'
group by st.subscription_id, month order by st.subscription_id, month;
`;

interface Measured {
  code: number;
  ms: number;
  cpu_ms: number;
  max_rss_mb: number;
}

function run(file: string, out: string, argv: string[]): Measured {
  const r = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', file, '--out', out, '--', ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(r) as Measured;
}

/**
 * CPU time of the waited-for children so far (Linux: /proc/self/stat's cutime + cstime, in clock ticks
 * of 10 ms), or null elsewhere: on a shared machine CPU time varies far less than wall time.
 */
function childrenCpuMs(): number | null {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function shell(file: string, out: string): { ms: number; cpu_ms: number | null } {
  const sqlite3 = process.env.SQLITE3 ?? 'sqlite3';
  const cpu0 = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(sqlite3, [file], { input: SHELL_SQL, stdio: ['pipe', fs.openSync(out, 'w'), 'inherit'] });
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status ?? r.error?.message})`);
  const cpu1 = childrenCpuMs();
  return { ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6), cpu_ms: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

function lines(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (const b of buf) if (b === 10) n++;
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      subscriptions: { type: 'string', default: '200000' },
      seats: { type: 'string', default: '1500000' },
      events: { type: 'string', default: '5000000' },
      seed: { type: 'string', default: '1' },
      repeat: { type: 'string', default: '3' },
      html: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      db: { type: 'string' },
      measure: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.measure) return measure(values.measure, values.out!, positionals);
  const [subs, seats, events, seed] = [values.subscriptions, values.seats, values.events, values.seed].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-report-'));
  let file = values.db;
  let generateMs = 0;
  if (!file) {
    file = path.join(dir, 'bench.db');
    const t0 = Date.now();
    await generate(file, subs, seats, events, seed);
    generateMs = Date.now() - t0;
  }
  const { n } = (await import('better-sqlite3'))
    .default(file, { readonly: true })
    .prepare('select count(*) as n from login_events')
    .get() as { n: number };
  process.stderr.write(
    `${subs} subscriptions, ${seats} seats, ${n} login events (generated in ${(generateMs / 1000).toFixed(1)} s: ${file})\n`,
  );
  const pairs: {
    usage_ms: number;
    usage_cpu_ms: number;
    usage_rss_mb: number;
    shell_ms: number;
    shell_cpu_ms: number | null;
    ratio: number;
    cpu_ratio: number | null;
  }[] = [];
  let usageRows = 0;
  for (let i = 0; i < Number(values.repeat); i++) {
    const usage = run(file, path.join(dir, 'usage.csv'), ['report', 'usage', '--format', 'csv']);
    if (usage.code !== 0) throw new Error(`report usage: exit ${usage.code}`);
    usageRows = lines(path.join(dir, 'usage.csv')) - 1;
    const sh = shell(file, path.join(dir, 'shell.csv'));
    const pair = {
      usage_ms: usage.ms,
      usage_cpu_ms: usage.cpu_ms,
      usage_rss_mb: usage.max_rss_mb,
      shell_ms: sh.ms,
      shell_cpu_ms: sh.cpu_ms,
      ratio: Number((usage.ms / sh.ms).toFixed(2)),
      cpu_ratio: sh.cpu_ms ? Number((usage.cpu_ms / sh.cpu_ms).toFixed(2)) : null,
    };
    pairs.push(pair);
    process.stderr.write(
      `report usage --format csv: ${usage.ms} ms (CPU ${usage.cpu_ms} ms), peak RSS ${usage.max_rss_mb} MB, ${usageRows} rows; ` +
        `sqlite3 GROUP BY: ${sh.ms} ms (CPU ${sh.cpu_ms ?? '?'} ms, ${lines(path.join(dir, 'shell.csv')) - 1} rows); ratio ${pair.ratio}× (CPU ${pair.cpu_ratio ?? '?'}×)\n`,
    );
  }
  const htmls: Measured[] = [];
  let htmlBytes = 0;
  for (let i = 0; i < Number(values.html); i++) {
    const html = run(file, path.join(dir, 'out.log'), ['report', 'html', '--out', path.join(dir, 'report.html')]);
    if (html.code !== 0) throw new Error(`report html: exit ${html.code}`);
    htmlBytes = fs.statSync(path.join(dir, 'report.html')).size;
    htmls.push(html);
    process.stderr.write(
      `report html: ${html.ms} ms (CPU ${html.cpu_ms} ms; target < 5000), peak RSS ${html.max_rss_mb} MB (target < 300), ${htmlBytes} bytes\n`,
    );
  }
  const html = htmls[htmls.length - 1];
  const sorted = [...pairs].sort((a, b) => a.ratio - b.ratio);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpuRatios = pairs
    .map((p) => p.cpu_ratio)
    .filter((r): r is number => r !== null)
    .sort((a, b) => a - b);
  const medianCpu = cpuRatios.length > 0 ? cpuRatios[Math.floor(cpuRatios.length / 2)]! : null;
  if (median) process.stderr.write(`median ratio ${median.ratio}× (CPU ${medianCpu ?? '?'}×; target ≤ 3×)\n`);
  // the outputs (and the generated database unless --keep); a --db file lives elsewhere
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ bench: 'report', subscriptions: subs, seats, events: n, seed, generate_ms: generateMs, usage_rows: usageRows, pairs, median_ratio: median?.ratio ?? null, median_cpu_ratio: medianCpu, html_ms: html?.ms ?? null, html_cpu_ms: html?.cpu_ms ?? null, html_rss_mb: html?.max_rss_mb ?? null, html_runs: htmls, html_bytes: htmlBytes })}\n`,
  );
}

await main();
