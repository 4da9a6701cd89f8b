import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`): the service as real child processes on real services,
 * killed and starved on purpose. One file at a time (each starts its own servers and processes
 * and wants both cores), with timeouts sized for a run of a few hundred cases.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 30 * 60_000,
    hookTimeout: 3 * 60_000,
    allowOnly: false,
    passWithNoTests: false,
    // Figures are printed with console.log; keep them in the output.
    silent: false,
  },
});
