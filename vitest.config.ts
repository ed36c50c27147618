import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Starts (or reuses) the local Kafka broker and checks RabbitMQ once per run; see the file.
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 120_000,
    // Cluster tests start worker threads and child processes; keep files from starving each other on small machines.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
