import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Test files side by side. Most of the suite's time is real-time waiting (calls on the real
    // Asterisk and on the built-in switch, timers), not CPU, and Vitest gives a 2-core machine
    // one worker by default: the whole suite then ran one file after another (18.6 min of tests
    // in the clean-clone CI run at d1df14e, 7.1 min with 3 files at once on the same machine).
    // `--maxWorkers=N` on the command line overrides it.
    maxWorkers: 3,
  },
});
