import { defineConfig } from 'vitest/config';

// The fault tests start their own services as separate processes and run one at a time: each loads
// the 2-core machine fully.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
