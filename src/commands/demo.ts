/**
 * `acctmgr demo`: the main job on the bundled fixtures, in a fresh database — import everything in
 * fixtures/, then show the accounts and the notices due. It drives the same commands a user would type,
 * so the demo cannot drift from the real behaviour.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { act } from './session.js';

/** dist/src/commands → the package root, where fixtures/ lives. */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('load the bundled fixtures into a fresh database and show accounts and due notices')
    .option('--fixtures <dir>', 'another directory of ENTITY.csv files', FIXTURES_DIR)
    .addHelpText(
      'after',
      '\nWithout --db the demo database goes to a new temporary directory (its path is printed).\nExamples:\n  acctmgr demo\n  acctmgr demo --db ./demo.db --as-of 2026-11-25',
    )
    .action(
      act(io, async (s) => {
        const { main } = await import('../main.js');
        let db = s.opts.db;
        if (db && fs.existsSync(db)) {
          await s.confirm(`Replace the existing database ${db} with the demo?`);
          for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${db}${suffix}`, { force: true });
        }
        db ??= path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-demo-')), 'acctmgr.db');
        const common = ['--db', db, ...(s.opts.actor ? ['--actor', s.opts.actor] : []), ...(s.opts.asOf ? ['--as-of', s.opts.asOf] : [])];
        const step = async (title: string, argv: string[]): Promise<void> => {
          s.message(`\n== ${title}: acctmgr ${argv.join(' ')}`);
          const code = await main([...argv, ...common], io);
          if (code !== 0) throw new DemoStepError(title, code);
        };
        await step('load the fixtures', ['import', 'all', s.opts.fixtures as string]);
        await step('accounts', ['accounts', 'list']);
        await step(`notices due on ${s.asOf}`, ['remind']);
        s.message(`\nThe demo database is ${db}\nExplore it with: export ACCTMGR_DB=${db}; npx acctmgr --help`);
      }),
    );
}

class DemoStepError extends Error {
  readonly code = 'DEMO_STEP';
  constructor(title: string, exit: number) {
    super(`demo step "${title}" failed (exit ${exit})`);
  }
}
