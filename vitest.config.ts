import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, where most test files
    // wait on child processes (Astro builds, emulators, Chromium). Two workers there: 605 s instead of 950 s for
    // the whole suite, every test passing (README, "Run it").
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: process.env.CI_REPORT ? ['default', ['json', { outputFile: process.env.CI_REPORT }]] : ['default'],
  },
});
