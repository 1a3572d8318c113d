import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests (test/integration, tests/e2e) need the local
// stack from `make stack-up` and run one file at a time because they share Kafka and Postgres.
export default defineConfig({
  test: {
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          // Generous: the ONNX model tests load real weights, and a busy 2-core machine is slow.
          testTimeout: 60_000,
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'tests/*/src/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'services/*/test/integration/**/*.test.ts', 'tests/*/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'tests/*/src/**/*.unit.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
