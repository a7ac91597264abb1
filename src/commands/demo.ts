/**
 * `acctmgr demo`: the main job on the bundled fixtures, in a fresh database — import everything in
 * fixtures/, then show the accounts, the team's agenda and the notices due. Each step runs the very command body a user's
 * `acctmgr …` runs (the same options, the same output), so the demo cannot drift from the real behaviour.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AppError, EXIT, NotFoundError, RefusedError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { listAccountsAction } from './accounts.js';
import { agendaAction } from './activities.js';
import { runImportCommand } from './import.js';
import { remindAction } from './remind.js';
import { act, Session, type GlobalOptions } from './session.js';

/** dist/src/commands → the package root, where fixtures/ lives. */
const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('load the bundled fixtures into a fresh database and show accounts and due notices')
    .option('--fixtures <dir>', 'another directory of ENTITY.csv files', FIXTURES_DIR)
    .addHelpText(
      'after',
      '\nWithout --db the demo database goes to a new temporary directory (its path is printed). A PostgreSQL --db must be\nempty (created and migrated for the demo): the demo never deletes data there.\nExamples:\n  acctmgr demo\n  acctmgr demo --db ./demo.db --as-of 2026-11-25',
    )
    .action(act(io, demo));
}

async function demo(s: Session): Promise<void> {
  // tables and messages for a person: JSON or CSV of four steps would be four documents on one stdout
  if (s.format !== 'table')
    throw new UsageError('demo prints tables to read: --json and --format are not taken (the commands it lists take them)');
  const fixtures = s.opts.fixtures as string;
  // checked before a database is made or replaced: a mistyped --fixtures leaves nothing behind
  if (!fs.statSync(fixtures, { throwIfNoEntry: false })?.isDirectory()) throw new NotFoundError('--fixtures directory', fixtures);
  let db = s.opts.db;
  if (db && s.target().target.kind === 'postgres') await requireEmpty(s);
  else if (db && fs.existsSync(db)) {
    await s.confirm(`Replace the existing database ${db} with the demo?`);
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${db}${suffix}`, { force: true });
  }
  db ??= path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-demo-')), 'acctmgr.db');
  // what the steps get of the demo's own options: the database, who acts and the as-of date
  const opts: GlobalOptions = { db, ...(s.opts.actor ? { actor: s.opts.actor } : {}), ...(s.opts.asOf ? { asOf: s.opts.asOf } : {}) };
  const step = async (title: string, argv: string[], run: (step: Session) => Promise<void>): Promise<void> => {
    s.message(`\n== ${title}: acctmgr ${argv.join(' ')}`);
    const session = new Session(s.io, { ...opts });
    try {
      await run(session);
    } catch (e) {
      throw new DemoStepError(title, e);
    } finally {
      await session.close();
    }
  };
  await step('load the fixtures', ['import', 'all', fixtures], (t) => runImportCommand(t, 'all', fixtures));
  await step('accounts', ['accounts', 'list'], listAccountsAction);
  await step(`the team's agenda on ${s.asOf}`, ['activities', 'agenda'], agendaAction);
  await step(`notices due on ${s.asOf}`, ['remind'], remindAction);
  s.message(`\nThe demo database is ${db}\nExplore it with: export ACCTMGR_DB=${db}; npx acctmgr --help`);
}

/**
 * A PostgreSQL database is a team's shared one: the demo loads only into an empty (migrated) database
 * and never deletes anything there, even with --yes (a file is the user's own: --yes replaces it).
 */
async function requireEmpty(s: Session): Promise<void> {
  const h = await s.open();
  const { holdsNoRows } = await import('../db/empty.js');
  if (await holdsNoRows(h.db)) return;
  throw new RefusedError(
    `the database ${h.path} is not empty: on PostgreSQL the demo loads only into an empty database and never deletes data`,
    'create one for it (createdb, then acctmgr db migrate --db URL) and run the demo with that --db',
  );
}

/** A step that failed: its own message and hint, named by the step (exit 1, as any failed operation). */
class DemoStepError extends AppError {
  constructor(title: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const inner = cause instanceof AppError ? cause : undefined;
    super(`demo step "${title}" failed: ${message}`, inner?.code ?? 'refused', EXIT.failed, inner?.hint);
  }
}
