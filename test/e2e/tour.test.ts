/**
 * README's five-minute tour, line by line, on a fresh database: every `acctmgr` line works as written
 * (the one dry-run import reports its bad rows with exit 1, as its comment says).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbFiles, ROOT, runCli } from '../helpers/cli.js';

const given = dbFiles();

/** The tour's code block: its `acctmgr` lines, comments cut, split into words as a shell would. */
function tourCommands(): string[][] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /## A five-minute tour\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  return block
    .split('\n')
    .filter((l) => l.startsWith('acctmgr '))
    .map((l) => shellWords(l.replace(/\s+#.*$/, '')).slice(1));
}

function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

describe("README's five-minute tour", () => {
  it('works as written on a fresh database', async () => {
    const db = given.fresh();
    const commands = tourCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const args of commands) {
      const r = await runCli(args, { db });
      const dryRun = args[0] === 'import' && args.includes('--dry-run');
      expect(r.code, `acctmgr ${args.join(' ')}\n${r.stderr}`).toBe(dryRun ? 1 : 0);
      if (dryRun) {
        expect(r.stderr).toContain('fixtures/tour/teachers.csv:3: email: "ivan.at.sp12.example": is not a valid email address');
        expect(r.stderr).toContain('fixtures/tour/teachers.csv:4: account_external_id: "SCH-002"');
      }
    }
  });
});
