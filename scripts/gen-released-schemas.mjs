#!/usr/bin/env node
/**
 * Writes test/fixtures/sqlite-schema-NNNN.sql: sqlite_master as the migrations of a past commit made it,
 * one file per migration level, for test/unit/migrations-dialects.test.ts (the released migrations must
 * still make exactly that SQLite schema). The migrations are taken from git, not from the working tree:
 *
 *   node scripts/gen-released-schemas.mjs 40c1dee
 *
 * 40c1dee is the last commit before PostgreSQL support edited the migrations (8f246ab added
 * migrations/dialect.ts): it holds the released 0001-0006. Each file of its migrations/ is transpiled
 * as it is (TypeScript's transpileModule; `kysely` resolved to this checkout's copy, the same version,
 * 0.28.19) and applied to an empty in-memory SQLite database with kysely's Migrator, up to each level in
 * turn. Run it from the repository's root; it needs nothing but the dev dependencies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import ts from 'typescript';

const rev = process.argv[2];
if (!rev) {
  process.stderr.write('usage: node scripts/gen-released-schemas.mjs REV (the commit whose migrations/ to replay)\n');
  process.exit(2);
}
const kysely = import.meta.resolve('kysely');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-released-'));
try {
  const tar = execFileSync('git', ['archive', '--format=tar', rev, 'migrations']);
  execFileSync('tar', ['-x', '-C', tmp], { input: tar });
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
  for (const file of walk(path.join(tmp, 'migrations'))) {
    if (!file.endsWith('.ts')) continue;
    const source = fs.readFileSync(file, 'utf8').replace(/from '(kysely|#kysely)'/g, `from '${kysely}'`);
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    fs.writeFileSync(file.replace(/\.ts$/, '.js'), out.outputText);
  }
  const { migrations } = await import(pathToFileURL(path.join(tmp, 'migrations', 'index.js')).href);
  for (const name of Object.keys(migrations).sort()) {
    const sqlite = new Database(':memory:');
    const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
    const result = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo(name);
    if (result.error) throw result.error;
    const target = path.join('test', 'fixtures', `sqlite-schema-${name.slice(0, 4)}.sql`);
    fs.writeFileSync(target, sqliteSchema(sqlite));
    process.stdout.write(`${target} (${name}, ${rev})\n`);
    await db.destroy();
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** The same text as test/unit/migrations-dialects.test.ts makes of a database's schema. */
function sqliteSchema(sqlite) {
  const rows = sqlite
    .prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'kysely_%' order by type, name")
    .all();
  return rows.map((r) => `-- ${r.type} ${r.name} on ${r.tbl_name}\n${r.sql ?? ''};\n`).join('\n');
}
