import { defineConfig } from 'vitest/config';

// One Temporal dev server and one Postgres for the whole suite (test/global-setup.ts); each test file
// gets its own database, task queue, worker and API in its own forked process.
// test/fixtures holds tests that fail on purpose; they run only when the test of the test command
// (test/test-command.test.ts) asks for them with BANGNONG_TEST_FIXTURES=1.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', ...(process.env.BANGNONG_TEST_FIXTURES === '1' ? ['test/fixtures/*.fixture.ts'] : [])],
    exclude: ['test/faults/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // What a page or the API shows after an action passes through Temporal, a projection and a refetch:
    // under a loaded CI machine that can take seconds, not the 1 s expect.poll waits by default.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
