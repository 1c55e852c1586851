import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Seeded demo stores, built once per run and copied per file (test/support/demo-store.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Store contract suites start real databases; keep CPU use predictable on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
