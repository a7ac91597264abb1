import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // the test files share one module graph per worker (src/ keeps no state between runs, so none leaks):
    // loading kysely, SQLite and the services once instead of once per file halves the run
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CI (.ci/run) asks for a JSON report too, so that its last line states the real counts
    ...(process.env.ACCTMGR_TEST_REPORT ? { reporters: ['default', 'json'], outputFile: { json: process.env.ACCTMGR_TEST_REPORT } } : {}),
  },
});
