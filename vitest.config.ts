import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Cluster tests start worker threads and child processes; keep files from starving each other on small machines.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
