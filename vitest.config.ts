import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // The long fault suite has its own command (npm run test:faults, vitest.faults.config.ts).
    exclude: ['**/node_modules/**', 'test/faults/**'],
    // Integration files share one Redis and start real worker processes: run files one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/summary-reporter.ts'],
    pool: 'forks',
  },
});
