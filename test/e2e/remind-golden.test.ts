/**
 * `acctmgr remind` prints byte for byte what the golden files under test/golden/remind/ hold: recorded
 * with the build before the preview was streamed (issue 17), so that any change of order, number
 * formatting, escaping or line ends shows here. Two data sets: the demo fixtures (every output file
 * whole) and a generated one with thousands of notices (bench/remind-data.ts, small sizes; its outputs
 * are too large to keep, so their SHA-256 and byte count). Both engines compare with the same files.
 *
 * ACCTMGR_UPDATE_GOLDEN=1 rewrites the files instead of comparing (only ever on purpose, with the diff
 * explained in the commit).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AS_OF, generateRemindData } from '../../bench/remind-data.js';
import { dbFiles, ROOT, runCli } from '../helpers/cli.js';
import { openTestDb, tempDbPath } from '../helpers/db.js';
import { onPostgres } from '../helpers/engine.js';

const GOLDEN = path.join(ROOT, 'test', 'golden', 'remind');
const UPDATE = process.env.ACCTMGR_UPDATE_GOLDEN === '1';

/** The forms a list comes out in: JSON, CSV, and the table piped (tab-separated lines). */
const FORMS: Record<string, string[]> = { json: ['--json'], csv: ['--format', 'csv'], tsv: [] };

const given = dbFiles();

/** The demo's database: `acctmgr demo` on the bundled fixtures. */
const demo = given.template(async (db) => {
  const r = await runCli(['demo', '--db', db, '--fixtures', path.join(ROOT, 'fixtures')]);
  if (r.code !== 0) throw new Error(`demo failed: ${r.stderr}`);
});

/** A generated data set with thousands of due notices (deterministic: seeded). */
const generated = given.template(async (db) => {
  const file = onPostgres ? tempDbPath() : db;
  await generateRemindData(file, { accounts: 2000, contacts: 20000, subscriptions: 4000, renewed: 0.4, seats: 30000, seed: 7, idle: 0.55 });
  if (onPostgres) {
    const r = await runCli(['--db', file, 'db', 'copy', '--to', db]);
    if (r.code !== 0) throw new Error(`db copy failed: ${r.stderr}`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

/** One run as a golden text: its stdout, and its exit code and stderr in a second file. */
async function run(db: string, args: string[]): Promise<{ out: string; err: string }> {
  const r = await runCli(['--db', db, 'remind', ...args]);
  return { out: r.stdout, err: `exit ${r.code}\n${r.stderr}` };
}

/** Compares (or with UPDATE writes) whole files. */
function expectFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(GOLDEN, dir, name);
    if (UPDATE) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } else expect(text, `${dir}/${name}`).toBe(fs.readFileSync(file, 'utf8'));
  }
}

/** Compares (or with UPDATE writes) the SHA-256 and byte count of each text, kept in DIR.sha256.json. */
function expectDigests(dir: string, files: Record<string, string>): void {
  const file = path.join(GOLDEN, `${dir}.sha256.json`);
  const digests = Object.fromEntries(
    Object.entries(files).map(([name, text]) => [
      name,
      { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) },
    ]),
  );
  if (UPDATE) {
    const kept = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as object) : {};
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ ...kept, ...digests }, null, 2)}\n`);
    return;
  }
  const golden = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const [name, d] of Object.entries(digests)) expect(d, `${dir}: ${name}`).toEqual(golden[name]);
}

/** Every form of the preview on each date, with the stderr of each. */
async function previews(db: string, dates: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const date of dates) {
    for (const [form, args] of Object.entries(FORMS)) {
      const r = await run(db, ['--as-of', date, ...args]);
      files[`${date}.${form}`] = r.out;
      files[`${date}.${form}.stderr`] = r.err;
    }
  }
  return files;
}

/** The ledger a run left, without what depends on the clock or the run (timestamps, run ids, claimants). */
async function ledger(db: string): Promise<string> {
  const h = await openTestDb(db);
  try {
    const rows = await h.db
      .selectFrom('notices')
      .select(['kind', 'subject_id', 'stage', 'cycle', 'due_date', 'status', 'reason', 'recipient_login', 'recipient_email'])
      .select(['account_external_id', 'subscription_external_id', 'contact_email', 'attempts'])
      .orderBy('kind')
      .orderBy('subject_id')
      .orderBy('stage')
      .orderBy('cycle')
      .execute();
    return `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  } finally {
    await h.close();
  }
}

/** --mark-sent's output and the ledger it leaves, then the preview after it (what is left due). */
async function markSent(db: string, forms: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const r = await run(db, ['--as-of', AS_OF, '--mark-sent', '--json']);
  files[`${AS_OF}.mark-sent.json`] = r.out;
  files[`${AS_OF}.mark-sent.json.stderr`] = r.err;
  files[`${AS_OF}.mark-sent.ledger`] = await ledger(db);
  for (const form of forms) {
    const after = await run(db, ['--as-of', '2026-12-20', ...FORMS[form]!]);
    files[`2026-12-20.after-mark-sent.${form}`] = after.out;
    files[`2026-12-20.after-mark-sent.${form}.stderr`] = after.err;
  }
  return files;
}

describe('remind output equals the golden files (recorded before the streamed preview)', () => {
  it('the demo fixtures: the preview on five dates as JSON, CSV and piped table', async () => {
    const db = await demo();
    expectFiles('fixtures', await previews(db, ['2026-09-01', '2026-11-25', '2026-12-01', '2027-01-15', '2027-03-01']));
  });

  it('the demo fixtures: --mark-sent, the ledger it leaves and the preview after it', async () => {
    const db = await demo();
    expectFiles('fixtures', await markSent(db, ['json', 'tsv']));
  });

  it('a generated set with thousands of notices: the preview on two dates', async () => {
    const db = await generated();
    const files = await previews(db, [AS_OF, '2027-02-10']);
    // thousands of notices, not a handful: the files are worth comparing
    expect((files[`${AS_OF}.json`]!.match(/"kind":/g) ?? []).length).toBeGreaterThan(2000);
    expectDigests('generated', files);
  }, 60_000);

  it('a generated set: --mark-sent, the ledger it leaves and the preview after it', async () => {
    const db = await generated();
    expectDigests('generated', await markSent(db, ['json', 'csv', 'tsv']));
  }, 60_000);
});
