import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests (test/integration, tests/e2e) need the local
// stack from `make stack-up` and run one file at a time because they share Kafka and Postgres.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'services/*/test/integration/**/*.test.ts', 'tests/*/src/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
