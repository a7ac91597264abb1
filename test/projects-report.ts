/**
 * A vitest reporter for CI (.ci/run): how many test files and tests each project (engine) ran, as JSON
 * (`{"sqlite": {"files", "passed", "failed", "skipped"}, "postgres": …}`) in the file it is given.
 * vitest's JSON report lists a test file once per project without saying which, so from it alone a run
 * in which the postgres project ran nothing cannot be told from one in which it ran everything; a
 * project that ran no file is missing here. vitest.config.ts adds it when ACCTMGR_TEST_REPORT is set.
 */
import fs from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export interface ProjectCounts {
  files: number;
  passed: number;
  failed: number;
  skipped: number;
}

export default class ProjectsReport implements Reporter {
  constructor(private readonly options: { outputFile: string }) {}

  onTestRunEnd(testModules: readonly TestModule[]): void {
    const projects: Record<string, ProjectCounts> = {};
    for (const m of testModules) {
      const p = (projects[m.project.name] ??= { files: 0, passed: 0, failed: 0, skipped: 0 });
      p.files++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        // pending: never finished (the run was cut short), counted as not passed
        if (state === 'passed') p.passed++;
        else if (state === 'skipped') p.skipped++;
        else p.failed++;
      }
    }
    fs.writeFileSync(this.options.outputFile, `${JSON.stringify(projects, null, 2)}\n`);
  }
}
