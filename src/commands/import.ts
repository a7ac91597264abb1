import { Option, type Command } from 'commander';
import { stderrStream, type Io } from '../io.js';
import { columnsHelp, ENTITIES, FORMATS, type EntityName } from '../formats/catalog.js';
import { collectPair, formatOption, parseIntOption } from './field-options.js';
import { act, type Session } from './session.js';
import { fieldsOf } from '../output/fields.js';
import type { BatchRecord } from '../import/undo.js';

const HISTORY_FIELDS = fieldsOf<BatchRecord>()([
  'batch_id',
  'at',
  'actor',
  'entity',
  'source',
  'status',
  'inserted',
  'updated',
  'unchanged',
  'rejected',
  'undone_at',
]);

export function registerImport(program: Command, io: Io): void {
  const imp = program
    .command('import')
    .description('bulk import from CSV: validated, all-or-nothing, undoable (acctmgr import ENTITY FILE)')
    .addHelpText(
      'after',
      '\nExamples:\n  acctmgr import contacts teachers.csv --dry-run\n  acctmgr import all ./data --json\n  acctmgr import undo 3 --yes',
    );

  for (const entity of ENTITIES) {
    importOptions(imp.command(`${entity} <file>`).description(`import ${FORMATS[entity].what} from a CSV file (- reads standard input)`))
      .addHelpText('after', `\n${columnsHelp(entity)}\n\nExample:\n  acctmgr import ${entity} ${entity}.csv --dry-run`)
      .action(act(io, (s, file) => runImportCommand(s, entity, file)));
  }

  importOptions(imp.command('all <dir>').description('import every ENTITY.csv in DIR, in dependency order, in one transaction'))
    .addHelpText(
      'after',
      `\nFiles: ${ENTITIES.map((e) => `${e}.csv`).join(', ')} (those present)\n\nExample:\n  acctmgr import all ./export-2026-11 --dry-run`,
    )
    .action(act(io, (s, dir) => runImportCommand(s, 'all', dir)));

  imp
    .command('history')
    .description('list import batches, newest first')
    .option('--limit <n>', 'at most N batches', parseIntOption)
    .addOption(formatOption())
    .addHelpText('after', '\nExample:\n  acctmgr import history --json')
    .action(
      act(io, async (s) => {
        const { importHistory } = await import('../import/undo.js');
        const rows = await importHistory(await s.db(), s.opts.limit as number | undefined);
        await s.list(
          rows,
          ['batch_id', 'at', 'actor', 'entity', 'source', 'inserted', 'updated', 'unchanged', 'rejected', 'status'],
          HISTORY_FIELDS,
        );
      }),
    );

  imp
    .command('undo')
    // parsed by commander, which reports a batch that is not a whole number as every usage error (exit 2)
    .argument('<batch>', 'the batch id (import history)', parseIntOption)
    .description('revert an import batch: inserted rows removed, updated rows restored (refused where later changes touched them)')
    .addHelpText('after', '\nExample:\n  acctmgr import undo 12 --yes')
    .action(
      act(io, async (s, batch) => {
        // a whole number already (the argument's parser)
        const id = Number(batch);
        const { undoBatch } = await import('../import/undo.js');
        await s.confirm(`Undo import batch ${id}?`);
        const h = await s.open();
        const result = await s.tx((db) => undoBatch(db, h, s.op(), id));
        if (s.opts.json) await s.show(result);
        else s.io.out(`${result.batch_id}\n`);
        s.message(`undone batch ${result.batch_id}: ${result.deleted} row(s) removed, ${result.restored} row(s) restored`);
      }),
    );
}

function importOptions(cmd: Command): Command {
  return cmd
    .option('--delimiter <char>', 'field delimiter: "," ";" or "tab" (default: detected from the header)')
    .option('--encoding <label>', 'file encoding when not UTF-8, e.g. latin1, windows-1250, windows-1251')
    .option('--map <pair>', 'rename a column: "Sheet Header=field" (repeatable)', collectPair)
    .option('--ignore-unknown', 'skip columns that match no field instead of refusing the file')
    .option('--date-format <format>', 'dates in the sheet: DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY (YYYY-MM-DD always accepted)')
    .option('--max-errors <n>', 'show at most N errors, then a count (default 50)', parseIntOption)
    .option('--skip-invalid', 'import the valid rows; reject the others (default: all or nothing)')
    .option('--rejects <file>', 'write rejected rows here with an "error" column (a directory for `import all`)')
    .option('--dry-run', 'validate everything and report what would happen; write nothing')
    .addOption(
      new Option('--on-existing <mode>', 'a row whose key exists: update (default), skip or error').choices(['update', 'skip', 'error']),
    );
}

export async function runImportCommand(s: Session, entity: EntityName | 'all', source: string): Promise<void> {
  const { buildRequest, renderOutcome, spoolInput } = await import('./import-support.js');
  const req = buildRequest(s.opts, entity, source);
  const spooled = entity === 'all' ? undefined : await spoolInput(s.io, source);
  try {
    req.file = spooled?.file;
    req.readerThread = s.io.env.ACCTMGR_IMPORT_THREADS !== '1';
    const { rejectsOutputs, runImport } = await import('../import/service.js');
    // --rejects naming the database (or its -wal …) is refused before the database is opened
    const { refuseDatabaseOutput } = await import('../lib/output-file.js');
    refuseDatabaseOutput(rejectsOutputs(req), s.target().target);
    // a dry run is what cron and scripts try first: it never creates a database (Session.open)
    const h = await s.open({ create: !req.dryRun });
    const progress = await startProgress(s, req);
    let outcome;
    try {
      outcome = await runImport(h, s.op(), req);
    } finally {
      progress?.stop();
    }
    await renderOutcome(s, outcome);
  } finally {
    spooled?.remove();
  }
}

/** A progress bar on stderr, only when it is a terminal and the input is large. */
async function startProgress(s: Session, req: { source: string; file?: string; onProgress?: (b: number, r: number) => void }) {
  if (!s.io.stderrIsTTY) return undefined;
  const { inputSize } = await import('./import-support.js');
  const total = inputSize(req.file ?? req.source);
  if (total < 8 * 1024 * 1024) return undefined;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    { format: 'importing [{bar}] {percentage}% | {rows} rows | {speed} rows/s | ETA {eta}s', stream: stderrStream(s.io), hideCursor: true },
    Presets.shades_classic,
  );
  const t0 = Date.now();
  bar.start(total, 0, { rows: 0, speed: 0 });
  req.onProgress = (bytes, rows) => {
    const secs = (Date.now() - t0) / 1000;
    bar.update(bytes, { rows, speed: secs > 0 ? Math.round(rows / secs) : 0 });
  };
  return bar;
}
