/**
 * Benchmark of the `acctmgr remind` preview: generates seeded synthetic data (subscriptions, seats,
 * contacts, managers with leaves, login events) into a temporary database, then runs the preview in a
 * fresh child process (so its peak RSS is the preview's, not the generator's) and prints the figures:
 * human-readable on stderr, one JSON line {"bench":"remind", …} on stdout.
 *
 *   node dist/bench/remind.js [--subscriptions 200000] [--seats 1000000] [--seed 1] [--idle 0.2] [--keep]
 *                             [--engines sqlite,postgres]
 *
 * --idle: the share of seats (that ever logged in) whose last login was 60–400 days ago; the rest
 * logged in within 60 days, and 10% never logged in. The ledger starts empty, so every current stage
 * is due: the first run on a new database, the heaviest preview.
 *
 * On PostgreSQL the same data is copied (`db copy --to`) into a database of the benchmark's own on the
 * test server (bench/pg.ts), and the same preview is timed there; the ratio to SQLite's time is the figure.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDb } from '../src/db/connection.js';
import { addDays } from '../src/lib/dates.js';
import { dropPgDb, pgCopyOf, pgDbName } from './pg.js';
import { rng } from './random.js';

const AS_OF = '2026-11-25';
const STAMP = '2026-01-01T00:00:00Z';

async function generate(file: string, subs: number, seats: number, seed: number, idle: number): Promise<void> {
  const h = await openDb(file);
  const db = h.sqlite!;
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  db.pragma('synchronous = OFF');
  db.transaction(() => {
    const managers = 200;
    // keys are ASCII and lower-case where they are stored folded (src/lib/keys.ts)
    const mgr = db.prepare(
      'insert into managers (login, name, email, email_key, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= managers; i++)
      mgr.run(`m${i}`, `Manager ${i}`, `m${i}@vendor.example`, `m${i}@vendor.example`, 'active', STAMP, STAMP);
    const leave = db.prepare(
      'insert into manager_leaves (manager_id, backup_id, from_date, until_date, created_at) values (?, ?, ?, ?, ?)',
    );
    for (let i = 1; i <= 10; i++) leave.run(i, i + 10, addDays(AS_OF, -5), addDays(AS_OF, 5), STAMP);
    db.prepare(
      "insert into products (code, code_key, name, created_at, updated_at) values ('BIO', 'bio', 'Biology site', ?, ?), ('DIARY', 'diary', 'E-diary', ?, ?)",
    ).run(STAMP, STAMP, STAMP, STAMP);
    db.prepare(
      "insert into plans (code, code_key, name, product_id, currency, created_at, updated_at) values ('B1', 'b1', 'Basic', 1, 'EUR', ?, ?), ('D1', 'd1', 'Medium', 2, 'EUR', ?, ?)",
    ).run(STAMP, STAMP, STAMP, STAMP);

    const accounts = Math.max(1, Math.ceil(subs / 4));
    const contactsPerAccount = Math.max(2, Math.ceil((2 * seats) / accounts / 4));
    const acc = db.prepare(
      'insert into accounts (external_id, external_id_key, name, type, status, locale, manager_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const con = db.prepare(
      'insert into contacts (account_id, name, email, email_key, role, is_primary, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const tutor: boolean[] = [false];
    for (let a = 1; a <= accounts; a++) {
      const isTutor = rand() < 0.03;
      tutor.push(isTutor);
      acc.run(
        `ACC-${a}`,
        `acc-${a}`,
        `Account ${a}`,
        isTutor ? 'tutor' : 'school',
        rand() < 0.01 ? 'deactivated' : 'active',
        rand() < 0.3 ? 'bg' : 'en',
        isTutor ? null : 1 + int(managers),
        STAMP,
        STAMP,
      );
      for (let c = 0; c < contactsPerAccount; c++) {
        con.run(
          a,
          `Teacher ${a}-${c}`,
          `t${c}@a${a}.example`,
          `t${c}@a${a}.example`,
          'teacher',
          c === 0 ? 1 : 0,
          rand() < 0.02 ? 'removed' : 'active',
          STAMP,
          STAMP,
        );
      }
    }

    const sub = db.prepare(
      'insert into subscriptions (external_id, external_id_key, account_id, product_id, plan_id, students, term_months, start_date, end_date, status, manager_id, price_cents, paid_at, activation_code, renewed_from_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 12, ?, ?, ?, ?, 80000, ?, ?, ?, ?, ?)',
    );
    const subAccount: number[] = [0];
    for (let s = 1; s <= subs; s++) {
      const a = 1 + ((s - 1) % accounts);
      subAccount.push(a);
      const end = addDays(AS_OF, int(800) - 400);
      const start = addDays(end, -364);
      const status = rand() < 0.9 ? 'active' : rand() < 0.5 ? 'trial' : 'cancelled';
      const paid = rand() < 0.85 ? addDays(start, -int(40)) : null;
      const code = paid !== null && rand() < 0.5 ? `CODE-${s}` : null;
      // every tenth subscription renews the one created just before it for the same account
      const renewedFrom = s > accounts && s % 10 === 0 ? s - accounts : null;
      sub.run(
        `SUB-${s}`,
        `sub-${s}`,
        a,
        1 + (s % 2),
        1 + (s % 2),
        50 + int(500),
        start,
        end,
        status,
        tutor[a] ? null : 1 + int(managers),
        paid,
        code,
        renewedFrom,
        STAMP,
        STAMP,
      );
    }

    const seat = db.prepare(
      'insert into seats (subscription_id, contact_id, status, invited_at, last_login_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    );
    const event = db.prepare('insert or ignore into login_events (seat_id, at) values (?, ?)');
    const perSub = seats / subs;
    let seatId = 0;
    for (let s = 1; s <= subs && seatId < seats; s++) {
      const a = subAccount[s]!;
      const count = Math.min(contactsPerAccount, Math.floor(perSub * s) - Math.floor(perSub * (s - 1)), seats - seatId);
      const first = int(contactsPerAccount);
      for (let k = 0; k < count; k++) {
        const contact = (a - 1) * contactsPerAccount + 1 + ((first + k) % contactsPerAccount);
        // 10% never logged in; of the others, a share `idle` last logged in 60–400 days ago, the rest recently
        const never = rand() < 0.1;
        const daysAgo = never ? 0 : rand() < idle ? 60 + int(340) : int(60);
        const login = never ? null : `${addDays(AS_OF, -daysAgo)}T${String(int(24)).padStart(2, '0')}:15:00Z`;
        seat.run(s, contact, rand() < 0.03 ? 'removed' : login ? 'active' : 'invited', addDays(AS_OF, -60 - int(300)), login, STAMP, STAMP);
        seatId++;
        // login events: mostly older than the stored last login, a few later (they win)
        if (login && rand() < 0.2) event.run(seatId, `${addDays(AS_OF, -daysAgo - int(30) + (rand() < 0.05 ? 20 : 0))}T08:00:00Z`);
      }
    }
  })();
  db.pragma('synchronous = NORMAL');
  await h.close();
}

/** The measured part, in its own process: the preview exactly as `acctmgr remind --json` computes it. */
async function measure(file: string): Promise<void> {
  const { runRemind } = await import('../src/remind/run.js');
  const started = process.hrtime.bigint();
  const h = await openDb(file);
  const opened = process.hrtime.bigint();
  const op = { actor: 'bench', asOf: AS_OF, today: AS_OF, now: `${AS_OF}T07:00:00Z` };
  const r = await runRemind(h.db, op, { mode: 'preview', tx: () => Promise.reject(new Error('preview writes nothing')) });
  const done = process.hrtime.bigint();
  const rss = process.resourceUsage().maxRSS;
  const json = JSON.stringify(r.notices, null, 2);
  const rendered = process.hrtime.bigint();
  await h.close();
  const ms = (a: bigint, b: bigint) => Math.round(Number(b - a) / 1e6);
  process.stdout.write(
    JSON.stringify({
      preview_ms: ms(opened, done),
      open_ms: ms(started, opened),
      json_ms: ms(done, rendered),
      json_bytes: json.length,
      due_notices: r.notices.length,
      no_recipient: r.no_recipient.length,
      max_rss_mb: Math.round(rss / 1024),
      max_rss_with_json_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

/** The same preview on a PostgreSQL copy of the data; its figures and the ratio to SQLite's time. */
async function onPostgres(file: string, sqlite: Record<string, number>): Promise<Record<string, number>> {
  const name = pgDbName('remind');
  try {
    const t0 = Date.now();
    const url = await pgCopyOf(file, name);
    process.stderr.write(`PostgreSQL: the data copied into ${name} (db copy) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', url], { encoding: 'utf8' });
    const figures = JSON.parse(out) as Record<string, number>;
    if (figures.due_notices !== sqlite.due_notices)
      throw new Error(`PostgreSQL found ${figures.due_notices} due notices, SQLite ${sqlite.due_notices}`);
    const ratio = Math.round((figures.preview_ms! / sqlite.preview_ms!) * 100) / 100;
    process.stderr.write(
      `PostgreSQL remind preview: ${figures.due_notices} due notices in ${figures.preview_ms} ms, ${ratio}× SQLite's ${sqlite.preview_ms} ms ` +
        `(target ≤ 1.5×), peak RSS ${figures.max_rss_mb} MB\n`,
    );
    return { ...figures, ratio_to_sqlite: ratio };
  } finally {
    await dropPgDb(name);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscriptions: { type: 'string', default: '200000' },
      seats: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      idle: { type: 'string', default: '0.2' },
      keep: { type: 'boolean', default: false },
      measure: { type: 'string' },
      engines: { type: 'string', default: 'sqlite,postgres' },
    },
  });
  if (values.measure) return measure(values.measure);
  const subs = Number(values.subscriptions);
  const seats = Number(values.seats);
  const seed = Number(values.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-'));
  const file = path.join(dir, 'bench.db');
  const t0 = Date.now();
  const idle = Number(values.idle);
  await generate(file, subs, seats, seed, idle);
  const generateMs = Date.now() - t0;
  process.stderr.write(`generated ${subs} subscriptions and ${seats} seats in ${(generateMs / 1000).toFixed(1)} s (${file})\n`);
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', file], { encoding: 'utf8' });
  const figures = JSON.parse(out) as Record<string, number>;
  process.stderr.write(
    `remind preview on ${AS_OF}: ${figures.due_notices} due notices in ${figures.preview_ms} ms ` +
      `(targets: < 2000 ms), peak RSS ${figures.max_rss_mb} MB (target: < 300 MB); ` +
      `rendering them as JSON: +${figures.json_ms} ms, ${figures.json_bytes} bytes, peak RSS ${figures.max_rss_with_json_mb} MB\n`,
  );
  const postgres = values.engines.split(',').includes('postgres') ? await onPostgres(file, figures) : undefined;
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ bench: 'remind', subscriptions: subs, seats, seed, idle, generate_ms: generateMs, ...figures, postgres })}\n`,
  );
}

await main();
