import fs from 'node:fs';
import type { Command } from 'commander';
import type { DuplicateKey } from '../db/duplicate-keys.js';
import type { Io } from '../io.js';
import { AppError, EXIT } from '../errors.js';
import { formatOption } from './field-options.js';
import { act } from './session.js';

export function registerDb(program: Command, io: Io): void {
  const db = program.command('db').description('the database: migrations, backup, checks');

  db.command('migrate')
    .description('apply pending migrations (on SQLite also done on first use; on PostgreSQL only by this command)')
    .action(
      act(io, async (s) => {
        const h = await s.open({ migrate: false, create: true });
        const { applyMigrations } = await import('../db/connection.js');
        const applied = await applyMigrations(h);
        s.message(applied.length ? `applied ${applied.join(', ')}` : 'already up to date');
        if (s.opts.json) await s.json({ applied });
      }),
    );

  db.command('status')
    .description('list migrations, applied and pending')
    .addOption(formatOption())
    .action(
      act(io, async (s) => {
        const h = await s.open({ migrate: false, allowNewer: true });
        const { migrationStatus } = await import('../db/migrator.js');
        const rows = await migrationStatus(h.db);
        await s.list(rows, ['name', 'applied', 'applied_at', 'known']);
        const newer = rows.filter((r) => !r.known).length;
        if (!s.opts.json)
          s.message(
            `${h.path}: ${rows.filter((r) => !r.applied).length} pending${newer ? `, ${newer} from a newer acctmgr (upgrade acctmgr)` : ''}`,
          );
      }),
    );

  db.command('backup <file>')
    .description('copy the database, checked before it replaces FILE: SQLite online backup, or pg_dump on PostgreSQL')
    .addHelpText(
      'after',
      '\nSQLite: consistent while others write. PostgreSQL: pg_dump --format=custom (pg_dump must be on PATH);\n' +
        'restore with pg_restore -d URL FILE.\n\nExample:\n  acctmgr db backup /var/backups/acctmgr-$(date +%F).db',
    )
    .action(
      act(io, async (s, file) => {
        const { outputKind, refuseDatabaseOutput } = await import('../lib/output-file.js');
        refuseDatabaseOutput([file], s.target().target);
        outputKind(file, false);
        if (fs.existsSync(file)) await s.confirm(`Overwrite existing file ${file}?`);
        // no migration first: a database an upgrade refused is backed up before it is repaired
        const h = await s.open({ migrate: false, allowNewer: true });
        const { backupTo } = await import('../db/maintenance.js');
        const { target } = s.target();
        const result = await backupTo(h, file, target.kind === 'postgres' ? { url: target.url, env: s.io.env } : undefined);
        if (s.opts.json) await s.json({ path: result.path, bytes: result.bytes, pages: result.pages });
        else s.io.out(`${result.path}\n`);
        s.message(
          result.restore === undefined
            ? `backed up ${result.pages} pages (${result.bytes} bytes)`
            : `backed up with pg_dump (${result.bytes} bytes); restore into an empty database with: ${result.restore}`,
        );
      }),
    );

  db.command('copy')
    .description('copy everything in this SQLite database into an empty, migrated PostgreSQL database (one transaction)')
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://USER@HOST:PORT/DBNAME (password: PGPASSWORD or ~/.pgpass)')
    .addHelpText(
      'after',
      '\nThe target must exist, be migrated (acctmgr --db URL db migrate) and be empty.\n' +
        '\nExample:\n  acctmgr --db team.db db copy --to postgres://acctmgr@db.example:5432/acctmgr',
    )
    .action(
      act(io, async (s) => {
        const { parseCopyTarget } = await import('../db/copy.js');
        const url = parseCopyTarget(s.opts.to as string);
        const source = await s.open();
        const { openTarget } = await import('../db/connection.js');
        const target = await openTarget({ kind: 'postgres', url }, { env: s.io.env, warn: (t) => s.warn(t) });
        try {
          const { copyDatabase } = await import('../copy/copy.js');
          const { summary, warnings } = await copyDatabase(source, target, s.op());
          // the counts once committed: a copy that fails is rolled back and lists nothing as copied
          for (const t of summary.tables) s.message(`${t.table}: ${t.rows} row(s)`);
          for (const w of warnings) s.warn(w);
          if (s.opts.json) await s.json(summary);
          s.message(`copied ${summary.rows} row(s) in ${summary.tables.length} tables into ${summary.to}`);
        } finally {
          await target.close();
        }
      }),
    );

  db.command('check')
    .description('integrity, foreign-key and unique-key check; exit 1 if anything is wrong')
    .action(
      act(io, async (s) => {
        const { checkFile } = await import('../db/maintenance.js');
        const report = await checkFile(() => s.open({ migrate: false }));
        if (s.opts.json) await s.json(report);
        else {
          s.io.out(`integrity: ${report.integrity.join('; ')}\n`);
          s.io.out(`foreign key violations: ${report.foreign_key_violations.length}\n`);
          for (const v of report.foreign_key_violations) s.io.out(`  ${v.table} row ${v.rowid} → missing ${v.parent}\n`);
          s.io.out(`stored keys out of step: ${report.key_mismatches.length}\n`);
          for (const m of report.key_mismatches) s.io.out(`  ${m.table} row ${m.id}: ${m.column} is not the fold of its key\n`);
          s.io.out(`seats whose last_login_at is behind their login events: ${report.last_logins_behind.length}\n`);
          for (const b of report.last_logins_behind)
            s.io.out(`  seat ${b.seat_id}: last_login_at ${b.last_login_at ?? 'empty'}, latest login event ${b.latest_event}\n`);
          s.io.out(`keys held by more than one row: ${report.duplicate_keys.length}\n`);
          for (const d of report.duplicate_keys) s.io.out(`  ${duplicateLine(d)}\n`);
          s.io.out(`seats whose contact is of another account: ${report.seats_of_other_accounts.length}\n`);
          for (const o of report.seats_of_other_accounts)
            s.io.out(
              `  seat ${o.seat_id}: ${o.subscription_external_id}/${o.email} (account ${o.account_external_id}), the contact of ${o.contact_account_external_id}\n`,
            );
        }
        if (!report.ok) throw new AppError('database check failed', 'invalid_data', EXIT.failed);
      }),
    );

  db.command('repair-keys')
    .description('list the keys an upgrade refuses (keys that fold together or break the key rules) and rename them')
    .option(
      '--rename <entity_old_new...>',
      'rename a key: ENTITY OLD NEW (groups, accounts, subscriptions, products, plans, contacts, managers)',
    )
    .option('--account <external_id>', 'the account of the contact whose email --rename changes')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nOLD is the key as stored, or #ID as the listing shows it. managers: the email when OLD has an "@", else the login.\n' +
        'Works on a database that has not been upgraded (no migration runs first).\n' +
        '\nExamples:\n  acctmgr db repair-keys\n  acctmgr db repair-keys --rename accounts уч-001 УЧ-001-Б\n' +
        '  acctmgr db repair-keys --rename contacts οδοσ@school.example odos2@school.example --account SCH-001',
    )
    .action(
      act(io, async (s) => {
        const { runRepairKeys } = await import('./repair-keys.js');
        await runRepairKeys(s);
      }),
    );
}

/** `accounts rows 1, 7 share external_id_key "sch-001"`; a table without ids: `settings: 2 rows share name "x"`. */
function duplicateLine(d: DuplicateKey): string {
  const key = d.columns.map((c, i) => `${c} ${JSON.stringify(d.values[i] ?? null)}`).join(', ');
  if (d.ids.length === 0) return `${d.table}: ${d.rows} rows share ${key}`;
  const more = d.rows > d.ids.length ? ` … (${d.rows} rows)` : '';
  return `${d.table} rows ${d.ids.join(', ')}${more} share ${key}`;
}
