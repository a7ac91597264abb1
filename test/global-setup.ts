/**
 * The spawn budget (test/helpers/spawn-budget.ts): at most SPAWN_BUDGET test cases may start the
 * binary. A directory shared by the whole run collects them; the count is printed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/** 21 since 2026-12-03: a reader thread started early and never handed its rows shows only as a process that does not exit. */
export const SPAWN_BUDGET = 21;

declare module 'vitest' {
  export interface ProvidedContext {
    spawns: { dir: string; budget: number };
  }
}

/**
 * One temporary folder for the whole run, made before any worker starts and removed after the last test:
 * every temporary file of the tests (test/helpers/db.ts tempDir, SQLite's own, the command line's) goes
 * under it through TMPDIR, which the workers and the processes they start inherit, so that a run leaves
 * nothing behind in /tmp. Both projects' setups share it; the last teardown removes it.
 */
export default function setup(project: TestProject): () => void {
  // on globalThis: each project may load this module anew, and both must share the one folder
  const shared = globalThis as { acctmgrTestRun?: { dir: string; users: number } };
  const run = (shared.acctmgrTestRun ??= { dir: '', users: 0 });
  if (run.users++ === 0) {
    run.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-tests-'));
    process.env.TMPDIR = run.dir;
  }
  const dir = fs.mkdtempSync(path.join(run.dir, 'acctmgr-spawns-'));
  project.provide('spawns', { dir, budget: SPAWN_BUDGET });
  return () => {
    const cases = fs.readdirSync(dir).length;
    console.log(`\n${cases} test case(s) started the binary (budget ${SPAWN_BUDGET})`);
    fs.rmSync(dir, { recursive: true, force: true });
    if (--run.users === 0) fs.rmSync(run.dir, { recursive: true, force: true });
  };
}
