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

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctmgr-spawns-'));
  project.provide('spawns', { dir, budget: SPAWN_BUDGET });
  return () => {
    const cases = fs.readdirSync(dir).length;
    console.log(`\n${cases} test case(s) started the binary (budget ${SPAWN_BUDGET})`);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
