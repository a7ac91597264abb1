/**
 * Import benchmark: `node dist/bench/import.js [--contacts 1000000] [--accounts 100000] [--seed 1] [--repeat 3]
 * [--engines sqlite,postgres]`. Generates seeded synthetic accounts.csv and contacts.csv, imports the
 * accounts, then, `--repeat` times, times the contacts import (full validation, into a copy of the
 * database holding the accounts) in a child process that reports its own peak RSS, and right after it
 * the `sqlite3` shell's `.import` of the same file into a bare table; the ratio reported is the median
 * pair's. On PostgreSQL (bench/pg.ts: a database of its own on the test server) the same, the accounts
 * copied in with `db copy`, each import into a fresh copy of that database, against `psql -c "\copy …"`
 * into a bare table of text columns (and, once, the accounts file imported into an empty database against
 * psql's \copy of it). Each PostgreSQL run also measures the server's floor (bench/pg.ts pgServerFloorSeconds:
 * the rows the import loaded, fed again from a file with the import's own index suspension and rebuild), so
 * the report tells the server's share of the ratio from the importer's. Then, on each engine, the contacts file
 * once more into a database holding it (all unchanged: a daily full export imported again), a subscriptions
 * file (one for every fifth account), a seats file (a seat for each of their contacts), a logins file (two
 * events a seat), an activities file (a call with every tenth contact), a trainings file (one a subscription)
 * and an invoices file (two instalments a subscription) are imported into the database of a contacts run, each
 * against the engine's bare load of the same file.
 * Humans read stderr; one JSON line `{"bench":"import", ...}` goes to stdout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acctmgr, createPgDb, dropPgDb, pgCopyOf, pgDbName, pgServerFloorSeconds, pgUrl, psqlCopySeconds } from './pg.js';
import { rng } from './random.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The sqlite3 command-line shell: on PATH, or named by SQLITE3. */
const SQLITE = process.env.SQLITE3 || 'sqlite3';

function engines(): string[] {
  const i = process.argv.indexOf('--engines');
  return i === -1 ? ['sqlite', 'postgres'] : (process.argv[i + 1] ?? '').split(',');
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} needs a positive whole number`);
  return n;
}

function writeLines(file: string, header: string, count: number, line: (i: number) => string): void {
  const fd = fs.openSync(file, 'w');
  let buf = `${header}\n`;
  for (let i = 0; i < count; i++) {
    buf += `${line(i)}\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

const FIRST = ['Anna', 'Jan', 'Maria', 'Petar', 'Ewa', 'Ivan', 'Olga', 'Tomasz', 'Elena', 'Georgi'];
const LAST = ['Kowalski', 'Nowak', 'Ivanova', 'Petrov', 'Wiśniewska', 'Dimitrov', 'Zielińska', 'Georgiev'];
const ROLES = ['teacher', 'teacher', 'teacher', 'director', 'deputy', 'admin', 'other'];

function generate(dir: string, accounts: number, contacts: number, seed: number): { accountsCsv: string; contactsCsv: string } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const accountsCsv = path.join(dir, 'accounts.csv');
  const id = (i: number) => `ACC-${String(i).padStart(7, '0')}`;
  writeLines(
    accountsCsv,
    'external_id,name,type,country,student_count,locale',
    accounts,
    (i) => `${id(i)},"School No. ${i}, ${pick(LAST)}",school,BG,${Math.floor(r() * 1500)},bg`,
  );
  const primaries = new Uint8Array(accounts);
  const contactsCsv = path.join(dir, 'contacts.csv');
  writeLines(contactsCsv, 'account_external_id,name,email,role,is_primary,status,invited_at,last_login_at', contacts, (i) => {
    const a = Math.floor(r() * accounts);
    const primary = primaries[a]! < 2 && r() < 0.1;
    if (primary) primaries[a]!++;
    const day = 1 + Math.floor(r() * 28);
    const login = r() < 0.5 ? `2026-03-${String(day).padStart(2, '0')}T08:${String(day).padStart(2, '0')}:00Z` : '';
    return `${id(a)},${pick(FIRST)} ${pick(LAST)},t${i}.${Math.floor(r() * 1e6)}@school${a}.example,${pick(ROLES)},${primary},${r() < 0.7 ? 'active' : 'invited'},2026-01-${String(day).padStart(2, '0')},${login}`;
  });
  return { accountsCsv, contactsCsv };
}

/** Runs the CLI in a child that reports its own peak RSS and CPU time (process.resourceUsage) into a file. */
function runCli(args: string[], db: string, rssFile: string): { seconds: number; stdout: string; rssMb: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', rssFile, '--db', db, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`acctmgr ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpu: number };
  return { seconds, stdout: r.stdout, rssMb: usage.maxRSS / 1024, cpu: usage.cpu };
}

async function child(): Promise<void> {
  const i = process.argv.indexOf('--child');
  const rssFile = process.argv[i + 1]!;
  const { main } = await import(path.resolve(HERE, '../src/main.js'));
  // the heap as the acctmgr command sets it (bin/acctmgr.js)
  (await import(path.resolve(HERE, '../src/heap.js'))).commandHeap();
  const code: number = await main(process.argv.slice(i + 2));
  const u = process.resourceUsage();
  // CPU seconds of every thread of the process (user + system): on a shared machine steadier than wall time
  fs.writeFileSync(rssFile, JSON.stringify({ maxRSS: u.maxRSS, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
  process.exitCode = code;
}

/**
 * The sqlite3 shell's `.import` into a bare table (the target's yardstick); with `indexed`, into a table
 * with the same two indexes as contacts, in WAL mode, to show what index upkeep alone costs.
 */
function sqliteImport(dir: string, csv: string, indexed = false): number {
  const db = path.join(dir, indexed ? 'indexed.db' : 'bare.db');
  fs.rmSync(db, { force: true });
  const setup = indexed
    ? [
        'pragma journal_mode=wal;',
        'create table contacts_raw(account_external_id, name, email, role, is_primary, status, invited_at, last_login_at, unique(account_external_id, email));',
        'create index contacts_raw_email on contacts_raw(email);',
      ]
    : [];
  if (indexed) spawnSync(SQLITE, [db, setup.join(' ')], { encoding: 'utf8' });
  const t0 = process.hrtime.bigint();
  const args = indexed
    ? [db, '-cmd', '.mode csv', `.import --skip 1 ${csv} contacts_raw`]
    : [db, '-cmd', '.mode csv', `.import ${csv} contacts_raw`];
  const r = spawnSync(SQLITE, args, { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error)
    throw new Error(
      `the import benchmark compares with the sqlite3 shell, and "${SQLITE}" cannot run (${r.error.message}): install it (apt-get install sqlite3) or name it with SQLITE3=/path/to/sqlite3`,
    );
  if (r.status !== 0) throw new Error(`sqlite3 .import failed: ${r.stderr}`);
  return seconds;
}

async function bench(): Promise<void> {
  const contacts = arg('contacts', 1_000_000);
  const accounts = arg('accounts', 100_000);
  const seed = arg('seed', 1);
  const repeat = arg('repeat', 3);
  const shell = spawnSync(SQLITE, ['-version'], { encoding: 'utf8' });
  if (shell.error || shell.status !== 0) {
    throw new Error(
      `the import benchmark compares with the sqlite3 shell, and "${SQLITE}" cannot run: install it (apt-get install sqlite3) or name it with SQLITE3=/path/to/sqlite3`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-bench-'));
  const say = (s: string) => process.stderr.write(`${s}\n`);
  try {
    say(`generating ${accounts} accounts and ${contacts} contacts (seed ${seed}) in ${dir}`);
    const { accountsCsv, contactsCsv } = generate(dir, accounts, contacts, seed);
    const base = path.join(dir, 'accounts.db');
    const acc = runCli(['import', 'accounts', accountsCsv, '--json'], base, path.join(dir, 'rss-accounts.json'));
    say(`accounts: ${accounts} rows in ${acc.seconds.toFixed(2)} s`);
    const mb = (fs.statSync(contactsCsv).size / 1048576).toFixed(1);
    // side by side, `repeat` times: on a shared machine one pair can land in a noisy moment
    const runs: { seconds: number; importSeconds: number; rssMb: number; cpu: number; sqlite: number; ratio: number }[] = [];
    for (let i = 1; i <= repeat; i++) {
      const db = path.join(dir, `contacts-${i}.db`);
      fs.copyFileSync(base, db);
      const con = runCli(['import', 'contacts', contactsCsv, '--json'], db, path.join(dir, 'rss-contacts.json'));
      const summary = JSON.parse(con.stdout) as { inserted: number; seconds: number };
      if (summary.inserted !== contacts) throw new Error(`expected ${contacts} contacts inserted, got ${summary.inserted}`);
      // the first run's database stays for the seats and logins files (benchSeats)
      if (i > 1) fs.rmSync(db, { force: true });
      const sqlite = sqliteImport(dir, contactsCsv);
      const run = {
        seconds: con.seconds,
        importSeconds: summary.seconds,
        rssMb: con.rssMb,
        cpu: con.cpu,
        sqlite,
        ratio: con.seconds / sqlite,
      };
      runs.push(run);
      say(
        `run ${i}: contacts ${contacts} rows (${mb} MB) in ${run.seconds.toFixed(2)} s wall (${run.importSeconds.toFixed(2)} s in the import, ${run.cpu.toFixed(2)} s CPU), peak RSS ${run.rssMb.toFixed(0)} MB; sqlite3 .import into a bare table ${sqlite.toFixed(2)} s; ratio ${run.ratio.toFixed(2)}×`,
      );
    }
    const mid = median(runs.map((r) => r.ratio));
    const typical = runs.find((r) => r.ratio === mid)!;
    const peak = Math.max(...runs.map((r) => r.rssMb));
    const indexedSeconds = sqliteImport(dir, contactsCsv, true);
    say(
      `median of ${repeat}: contacts ${typical.seconds.toFixed(2)} s wall, ${Math.round(contacts / typical.seconds)} rows/s; sqlite3 .import ${typical.sqlite.toFixed(2)} s`,
    );
    say(`ratio: ${mid.toFixed(2)}× the sqlite3 shell (median; runs ${runs.map((r) => r.ratio.toFixed(2)).join(', ')}; target ≤ 2.5×)`);
    say(`peak RSS of the contacts import: ${peak.toFixed(0)} MB (highest of the runs; target < 300 MB)`);
    say(`for reference, sqlite3 .import into a table with the contacts' two indexes: ${indexedSeconds.toFixed(2)} s`);
    const again = importAgain(contactsCsv, contacts, path.join(dir, 'contacts-1.db'), 'SQLite', say);
    const seatFiles = generateSeats(dir, contactsCsv);
    const seatsSqlite = benchSeats(seatFiles, path.join(dir, 'contacts-1.db'), 'SQLite', say);
    const postgres = engines().includes('postgres')
      ? await benchPostgres(base, accountsCsv, contactsCsv, contacts, repeat, say, seatFiles)
      : undefined;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'import',
        seed,
        accounts,
        contacts,
        file_mb: Number(mb),
        accounts_seconds: round(acc.seconds),
        contacts_seconds: round(typical.seconds),
        contacts_import_seconds: typical.importSeconds,
        rows_per_second: Math.round(contacts / typical.seconds),
        peak_rss_mb: Math.round(peak),
        sqlite_import_seconds: round(typical.sqlite),
        ratio: round(mid),
        runs: runs.map((r) => ({
          contacts_seconds: round(r.seconds),
          cpu_seconds: round(r.cpu),
          sqlite_import_seconds: round(r.sqlite),
          ratio: round(r.ratio),
          peak_rss_mb: Math.round(r.rssMb),
        })),
        sqlite_indexed_import_seconds: round(indexedSeconds),
        contacts_again: again,
        seats: seatsSqlite,
        postgres,
      })}\n`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ACCOUNT_COLUMNS = ['external_id', 'name', 'type', 'country', 'student_count', 'locale'];
const CONTACT_COLUMNS = ['account_external_id', 'name', 'email', 'role', 'is_primary', 'status', 'invited_at', 'last_login_at'];

/**
 * The same on PostgreSQL: the accounts copied from the SQLite database into a database of the benchmark's
 * own; each run imports the contacts into a fresh copy of it (CREATE DATABASE … TEMPLATE), then psql's
 * \copy loads the same file into a bare table of text columns. Once, first: the accounts file imported into an
 * empty database (a large accounts file is bulk-loaded with COPY too), against psql's \copy of it.
 */
async function benchPostgres(
  base: string,
  accountsCsv: string,
  csv: string,
  contacts: number,
  repeat: number,
  say: (s: string) => void,
  seatFiles: SeatFiles,
) {
  const baseName = pgDbName('import');
  const names = [baseName, pgDbName('accounts')];
  try {
    const accountsUrl = await createPgDb(names[1]!);
    acctmgr(['--db', accountsUrl, 'db', 'migrate']);
    const acc = runCli(['import', 'accounts', accountsCsv, '--json'], accountsUrl, path.join(path.dirname(csv), 'rss-pg-accounts.json'));
    const accPsql = psqlCopySeconds(accountsUrl, accountsCsv, ACCOUNT_COLUMNS);
    const accounts = {
      seconds: round(acc.seconds),
      psql_copy_seconds: round(accPsql),
      ratio: round(acc.seconds / accPsql),
      peak_rss_mb: Math.round(acc.rssMb),
    };
    say(
      `PostgreSQL: accounts file imported into an empty database in ${acc.seconds.toFixed(2)} s (psql \\copy ${accPsql.toFixed(2)} s: ${accounts.ratio.toFixed(2)}×), peak RSS ${accounts.peak_rss_mb} MB`,
    );
    await dropPgDb(names[1]!);
    const t0 = Date.now();
    const baseUrl = await pgCopyOf(base, baseName);
    say(`PostgreSQL: accounts copied into ${baseName} (db copy) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const runs: {
      seconds: number;
      importSeconds: number;
      rssMb: number;
      cpu: number;
      psql: number;
      ratio: number;
      floor: number;
      floorRatio: number;
    }[] = [];
    for (let i = 1; i <= repeat; i++) {
      const name = pgDbName(`import_${i}`);
      names.push(name);
      const url = await createPgDb(name, baseName);
      const con = runCli(['import', 'contacts', csv, '--json'], url, path.join(path.dirname(csv), 'rss-pg.json'));
      const summary = JSON.parse(con.stdout) as { inserted: number; seconds: number };
      if (summary.inserted !== contacts) throw new Error(`PostgreSQL: expected ${contacts} contacts inserted, got ${summary.inserted}`);
      const floor = await pgServerFloorSeconds(name, baseName, 'contacts', path.dirname(csv));
      // the last run's database stays for the seats and logins files (dropped at the end with the others)
      if (i < repeat) await dropPgDb(name);
      const psql = psqlCopySeconds(baseUrl, csv, CONTACT_COLUMNS);
      const run = {
        seconds: con.seconds,
        importSeconds: summary.seconds,
        rssMb: con.rssMb,
        cpu: con.cpu,
        psql,
        ratio: con.seconds / psql,
        floor,
        floorRatio: floor / psql,
      };
      runs.push(run);
      say(
        `PostgreSQL run ${i}: contacts in ${run.seconds.toFixed(2)} s wall (${run.importSeconds.toFixed(2)} s in the import, ${run.cpu.toFixed(2)} s CPU of Node), peak RSS ${run.rssMb.toFixed(0)} MB; psql \\copy into a bare table ${psql.toFixed(2)} s; ratio ${run.ratio.toFixed(2)}×; the server's floor (the same rows fed from a file, the same rebuild) ${floor.toFixed(2)} s: ${run.floorRatio.toFixed(2)}×`,
      );
    }
    const mid = median(runs.map((r) => r.ratio));
    const typical = runs.find((r) => r.ratio === mid)!;
    const peak = Math.max(...runs.map((r) => r.rssMb));
    say(`PostgreSQL ratio: ${mid.toFixed(2)}× psql \\copy (median; runs ${runs.map((r) => r.ratio.toFixed(2)).join(', ')}; target ≤ 4×)`);
    const floorMid = median(runs.map((r) => r.floorRatio));
    say(
      `PostgreSQL server's floor: ${floorMid.toFixed(2)}× psql \\copy (median; runs ${runs.map((r) => r.floorRatio.toFixed(2)).join(', ')}): what the server alone takes to load these rows into this schema`,
    );
    say(`PostgreSQL peak RSS of the contacts import: ${peak.toFixed(0)} MB (target < 300 MB)`);
    const again = importAgain(csv, contacts, pgUrl(names[names.length - 1]!), 'PostgreSQL', say);
    const seats = benchSeats(seatFiles, pgUrl(names[names.length - 1]!), 'PostgreSQL', say);
    return {
      accounts,
      contacts_seconds: round(typical.seconds),
      contacts_import_seconds: typical.importSeconds,
      rows_per_second: Math.round(contacts / typical.seconds),
      peak_rss_mb: Math.round(peak),
      psql_copy_seconds: round(typical.psql),
      ratio: round(mid),
      server_floor_ratio: round(floorMid),
      contacts_again: again,
      seats,
      runs: runs.map((r) => ({
        contacts_seconds: round(r.seconds),
        cpu_seconds: round(r.cpu),
        psql_copy_seconds: round(r.psql),
        ratio: round(r.ratio),
        server_floor_seconds: round(r.floor),
        server_floor_ratio: round(r.floorRatio),
        peak_rss_mb: Math.round(r.rssMb),
      })),
    };
  } finally {
    for (const name of names) await dropPgDb(name);
  }
}

/**
 * The same contacts file imported a second time into a database that holds it (every row unchanged, nothing
 * written): what a daily full export imported again costs (no anchor, no target).
 */
function importAgain(csv: string, contacts: number, db: string, engine: string, say: (s: string) => void) {
  const run = runCli(['import', 'contacts', csv, '--json'], db, path.join(path.dirname(csv), 'rss-again.json'));
  const summary = JSON.parse(run.stdout) as { inserted: number; updated: number; unchanged: number };
  if (summary.unchanged !== contacts) throw new Error(`${engine}: expected ${contacts} contacts unchanged, got ${summary.unchanged}`);
  say(
    `${engine}: the contacts file again (${contacts} rows, all unchanged) in ${run.seconds.toFixed(2)} s wall (${run.cpu.toFixed(2)} s CPU), peak RSS ${run.rssMb.toFixed(0)} MB`,
  );
  return { seconds: round(run.seconds), cpu_seconds: round(run.cpu), peak_rss_mb: Math.round(run.rssMb) };
}

interface SeatFiles {
  subscriptions: string;
  seats: string;
  logins: string;
  activities: string;
  trainings: string;
  invoices: string;
  counts: { subscriptions: number; seats: number; logins: number; activities: number; trainings: number; invoices: number };
}

/**
 * Files for the seats, logins and activities imports, from the contacts file: a subscription for every fifth
 * account, a seat for each of its contacts and two login events a seat, in the contacts file's order (no order
 * of the subscriptions: the worst case for reading a parent's rows at a time); a call or meeting with every
 * tenth contact; a training and two invoices (instalments) for each subscription.
 */
function generateSeats(dir: string, contactsCsv: string): SeatFiles {
  const subs = [
    'external_id,account_external_id,product,plan,students,term_months,start_date,end_date,status,manager_login,price,paid_at,renewed_from_external_id',
  ];
  const seats = ['subscription_external_id,email,status,invited_at,last_login_at,removed_at'];
  const logins = ['subscription_external_id,email,at'];
  const activities = [
    'id,account_external_id,kind,subject,notes,contact_email,manager_login,at,duration_minutes,status,outcome,follow_up_of,override_reason',
  ];
  const trainings = ['account_external_id,subscription_external_id,topic,participants,source,price,currency,manager_login'];
  const invoices = [
    'number,account_external_id,subscription_external_id,training_id,instalment,instalments,period,lines,amount,currency,planned_on,issued_on,due_on,paid_on,status,void_reason',
  ];
  const named = new Set<string>();
  const lines = fs.readFileSync(contactsCsv, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const [account, , email] = lines[i]!.split(',');
    // a call with every tenth contact, in the contacts file's order (no order of the accounts)
    if (account && email && i % 10 === 0)
      activities.push(
        `,${account},${i % 20 ? 'call' : 'meeting'},Call ${i},,${email},,2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z,,done,,,`,
      );
    if (!account || !email || Number(account.slice(4)) % 5 !== 0) continue;
    const sub = `SUB-${account.slice(4)}`;
    if (!named.has(sub)) {
      named.add(sub);
      subs.push(`${sub},${account},BIOLOGY,BIO-MAXIMUM,500,12,2026-09-01,,active,akowalski,,,`);
      trainings.push(`${account},${sub},Formative assessment in class,20,cross_sell,300.00,EUR,akowalski`);
      for (const n of [1, 2]) {
        const number = `INV-2026-${String(invoices.length).padStart(5, '0')}`;
        const month = n === 1 ? '2026-09' : '2026-10';
        invoices.push(`${number},${account},${sub},,${n},2,2026/2027,,600.00,EUR,,${month}-01,${month}-15,,issued,`);
      }
    }
    const day = 1 + (i % 9);
    seats.push(`${sub},${email},active,2026-09-01,,`);
    logins.push(`${sub},${email},2026-10-0${day}T08:00:00Z`, `${sub},${email},2026-11-0${day}T08:00:00Z`);
  }
  const write = (name: string, rows: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    return file;
  };
  return {
    subscriptions: write('subscriptions.csv', subs),
    seats: write('seats.csv', seats),
    logins: write('logins.csv', logins),
    activities: write('activities.csv', activities),
    trainings: write('trainings.csv', trainings),
    invoices: write('invoices.csv', invoices),
    counts: {
      subscriptions: subs.length - 1,
      seats: seats.length - 1,
      logins: logins.length - 1,
      activities: activities.length - 1,
      trainings: trainings.length - 1,
      invoices: invoices.length - 1,
    },
  };
}

const FIXTURES = path.resolve(HERE, '../../fixtures');

/**
 * The subscriptions, seats, logins, activities, trainings and invoices files imported in turn into `db` (holding the accounts and contacts),
 * after the catalogue (the bundled fixtures); each against the engine's bare load of the same file (the
 * sqlite3 shell's `.import`, psql's `\copy`).
 */
function benchSeats(files: SeatFiles, db: string, engine: 'SQLite' | 'PostgreSQL', say: (s: string) => void) {
  for (const entity of ['managers', 'products', 'plans', 'prices'])
    acctmgr(['--db', db, 'import', entity, path.join(FIXTURES, `${entity}.csv`)]);
  const out: Record<string, unknown> = {};
  for (const entity of ['subscriptions', 'seats', 'logins', 'activities', 'trainings', 'invoices'] as const) {
    const file = files[entity];
    const run = runCli(['import', entity, file, '--json'], db, path.join(path.dirname(file), `rss-${entity}.json`));
    const summary = JSON.parse(run.stdout) as { inserted: number };
    if (summary.inserted !== files.counts[entity])
      throw new Error(`${engine}: expected ${files.counts[entity]} ${entity} inserted, got ${summary.inserted}`);
    const header = fs.readFileSync(file, 'utf8').slice(0, 200).split('\n')[0]!.split(',');
    const anchor = engine === 'SQLite' ? sqliteImport(path.dirname(file), file) : psqlCopySeconds(db, file, header);
    const ratio = run.seconds / anchor;
    say(
      `${engine}: ${entity} ${files.counts[entity]} rows in ${run.seconds.toFixed(2)} s wall (${run.cpu.toFixed(2)} s CPU), peak RSS ${run.rssMb.toFixed(0)} MB; ${engine === 'SQLite' ? 'sqlite3 .import' : 'psql \\copy'} into a bare table ${anchor.toFixed(2)} s: ${ratio.toFixed(2)}×`,
    );
    out[entity] = {
      rows: files.counts[entity],
      seconds: round(run.seconds),
      anchor_seconds: round(anchor),
      ratio: round(ratio),
      peak_rss_mb: Math.round(run.rssMb),
    };
  }
  return out;
}

/** The middle value (of an odd count; the lower middle of an even one). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

if (process.argv.includes('--child')) await child();
else {
  try {
    await bench();
  } catch (e) {
    process.stderr.write(`import benchmark: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
